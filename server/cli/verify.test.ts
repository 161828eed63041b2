import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runVerifyCli, type VerifyCliIo } from './verify';
import { wellKnownRoutes } from '../popp/wellknown/handlers';
import { createTestIssuer, type TestIssuer } from '../verifier/testing/issuer';

let server: Server;
let iss: TestIssuer;
let dir: string;
let caFile: string;
let tokenFile: string;
let token: string;

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  iss = await createTestIssuer({ issuer });
  const routes = wellKnownRoutes(iss.ks, issuer, 'CLI-Test');
  server.on('request', async (req, res) => {
    const r = routes.find((x) => x.path === req.url);
    if (!r) return void res.writeHead(404).end();
    const out = await r.handle();
    res.writeHead(out.status, out.headers).end(out.body);
  });
  dir = mkdtempSync(path.join(tmpdir(), 'popp-cli-'));
  caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, iss.caPem);
  token = await iss.token();
  tokenFile = path.join(dir, 'token.txt');
  writeFileSync(tokenFile, `${token}\n`);
});
afterAll(() => new Promise((r) => server.close(r)));

async function cli(args: string[], opts: { stdin?: string; tty?: boolean; env?: Record<string, string> } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io: VerifyCliIo = {
    readStdin: async () => opts.stdin ?? '',
    stdinIsTTY: opts.tty ?? opts.stdin === undefined,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: opts.env ?? {},
  };
  const code = await runVerifyCli(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('popp verify', () => {
  it('issuer keys unreachable: exit 3 (could not check), not 1 (invalid)', async () => {
    const r = await cli(['--file', tokenFile, '--issuer', iss.issuer, '--ca', caFile, '--profile', 'vsdm'], {});
    expect(r.code).toBe(0);
    const closed = await new Promise<string>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
        s.close(() => resolve(url));
      });
    });
    const down = await cli(['--file', tokenFile, '--issuer', closed, '--ca', caFile, '--profile', 'vsdm']);
    // The token names another issuer, so first it is unknown (1); an issuer whose keys cannot be fetched is 3.
    expect(down.code).toBe(1);
    const tok = await createTestIssuer({ issuer: closed });
    const f = path.join(dir, 'down.txt');
    writeFileSync(f, `${await tok.token()}\n`);
    const ca2 = path.join(dir, 'ca2.pem');
    writeFileSync(ca2, tok.caPem);
    const r3 = await cli(['--file', f, '--issuer', closed, '--ca', ca2, '--profile', 'vsdm']);
    expect(r3.code).toBe(3);
    expect(r3.out).toContain('keys_unavailable');
  });

  it('valid token from a file: exit 0, German summary, KVNR masked, token never printed', async () => {
    const r = await cli(['--file', tokenFile, '--issuer', iss.issuer, '--ca', caFile, '--profile', 'vsdm']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Gültig \(Profil vsdm\)/);
    expect(r.out).toContain('X11****756');
    expect(r.out).not.toContain('X110540756');
    expect(r.out + r.err).not.toContain(token.split('.')[2]);
  });

  it('valid token from stdin, English via --lang en', async () => {
    const r = await cli(['--issuer', iss.issuer, '--ca', caFile, '--lang', 'en'], { stdin: token });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^Valid \(profile basic\)/);
  });

  it('invalid token: exit 1 with the code; English via POPP_LANG', async () => {
    const r = await cli(['--issuer', iss.issuer, '--ca', caFile], { stdin: `${token.slice(0, -4)}AAAA` });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^Ungültig: .*\[signature_invalid\]/);
    const en = await cli(['--issuer', iss.issuer, '--ca', caFile, '--profile', 'erezept'], { stdin: token, env: { POPP_LANG: 'en' } });
    expect(en.code).toBe(1);
    expect(en.out).toContain('[actor_required]');
    expect(en.out).toMatch(/^Invalid:/);
  });

  it('refuses a token on the command line (exit 2), explains why, and does not echo it', async () => {
    const r = await cli(['--issuer', iss.issuer, '--ca', caFile, token]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('Shell-History');
    expect(r.err + r.out).not.toContain(token.split('.')[1]);
  });

  it('--json gives a machine-readable result', async () => {
    const r = await cli(['--json', '--issuer', iss.issuer, '--ca', caFile, '--profile', 'erezept', '--actor', '1-20014060625'], { stdin: token });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ valid: true, profile: 'erezept', claims: { actorId: '1-20014060625' } });
  });

  it('--config with issuers and CA paths relative to the file', async () => {
    const cfg = path.join(dir, 'verifier.json');
    writeFileSync(cfg, JSON.stringify({ issuers: [{ iss: iss.issuer, ca: ['ca.pem'] }], leewaySeconds: 60 }));
    expect((await cli(['--config', cfg, '--file', tokenFile])).code).toBe(0);
    writeFileSync(cfg, JSON.stringify({ issuers: [{ iss: iss.issuer, ca: ['ca.pem'], extra: 1 }] }));
    expect((await cli(['--config', cfg, '--file', tokenFile])).code).toBe(2);
  });

  it.each([
    ['no issuer', ['--file', 'x']],
    ['issuer without CA', ['--issuer', 'https://popp.example', '--file', 'x']],
    ['unknown option', ['--token', 'abc']],
    ['unknown profile', ['--issuer', 'https://popp.example', '--ca', 'x', '--profile', 'kim']],
    ['issuer that is not an origin', ['--issuer', 'https://popp.example/path', '--ca', '__CA__', '--file', '__TOKEN__']],
  ])('usage error (exit 2): %s', async (_n, args) => {
    const r = await cli(args.map((a) => (a === '__CA__' ? caFile : a === '__TOKEN__' ? tokenFile : a)));
    expect(r.code).toBe(2);
  });

  it('no token on an interactive stdin → exit 2 with a hint', async () => {
    const r = await cli(['--issuer', iss.issuer, '--ca', caFile], { tty: true });
    expect(r.code).toBe(2);
    expect(r.err).toContain('stdin');
  });
});
