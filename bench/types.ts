/** One section of BENCHMARKS.md, produced by one bench/*.bench.ts module. */
export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** The same-process baseline this row is compared against, e.g. raw ECDSA signs/s. */
  baseline?: { name: string; value: number; unit: string };
  /** value / baseline.value, or another ratio the section explains. */
  ratio?: number;
}

export interface BenchSection {
  title: string;
  /** What each figure means and how to read the ratio. */
  notes?: string[];
  rows: BenchRow[];
}

/** Runs `fn` repeatedly for about `ms` milliseconds and returns operations per second. */
export async function opsPerSecond(fn: () => unknown | Promise<unknown>, ms = 1500): Promise<number> {
  for (let i = 0; i < 20; i++) await fn(); // warm-up
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    await fn();
    n++;
    if ((n & 15) === 0) now = performance.now();
  }
  now = performance.now();
  return (n * 1000) / (now - start);
}
