/**
 * `npm run bench`: runs every bench/*.bench.ts (or those named on the command line)
 * and rewrites BENCHMARKS.md. Figures are ratios against a baseline measured in
 * the same process, because absolute numbers on shared machines are noise.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchSection } from './types';

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.startsWith(o)))
  .sort();

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(3));

const sections: string[] = [];
for (const file of files) {
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { default: () => Promise<BenchSection> };
  console.log(`bench: ${file} …`);
  const s = await mod.default();
  const lines = [`## ${s.title}`, '', `Command: \`npm run bench -- ${file.replace('.bench.ts', '')}\``, ''];
  for (const n of s.notes ?? []) lines.push(n, '');
  lines.push('| measure | value | baseline (same run) | ratio |', '|---|---|---|---|');
  for (const r of s.rows) {
    const base = r.baseline ? `${r.baseline.name}: ${fmt(r.baseline.value)} ${r.baseline.unit}` : '–';
    lines.push(`| ${r.name} | ${fmt(r.value)} ${r.unit} | ${base} | ${r.ratio === undefined ? '–' : fmt(r.ratio)} |`);
  }
  sections.push(lines.join('\n'));
  console.log(lines.join('\n'));
}

const header = [
  '# Benchmarks',
  '',
  'Produced by `npm run bench` (all sections) or `npm run bench -- <name>` (one section).',
  `Last run: ${new Date().toISOString()} on Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}.`,
  'Absolute figures vary between runs on shared machines; the ratio against the baseline measured in the same process is the figure to compare.',
  '',
].join('\n');
if (only.length === 0) writeFileSync(path.join(dir, '..', 'BENCHMARKS.md'), `${header}\n${sections.join('\n\n')}\n`);
else console.log('(partial run: BENCHMARKS.md not rewritten; run `npm run bench` for all sections)');
