import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pcscdReachable } from '../pcsc-loader';

/**
 * A pcscd of the test's own: its reader configuration holds only a vsmartcard
 * vpcd reader on a port of the test's choosing, and, where the test may create
 * a mount namespace (root, util-linux unshare), its socket lives in a private
 * directory bound over /run so the system's pcscd and other tests are
 * untouched. pcscd runs in the foreground with --auto-exit, so even a crashed
 * test leaves nothing behind for long.
 */
export const PCSCD = '/usr/sbin/pcscd';
export const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';

export interface PcscdHarness {
  /** Set PCSCLITE_CSOCK_NAME to this before the PC/SC binding creates a context. */
  socketPath: string;
  vpcdPort: number;
  isolated: boolean;
  readerName: string;
  output(): string;
  stop(): Promise<void>;
}

export function pcscdAvailable(): { ok: true } | { ok: false; reason: string } {
  if (process.platform !== 'linux') return { ok: false, reason: 'not Linux' };
  if (!existsSync(PCSCD)) return { ok: false, reason: `${PCSCD} missing (apt install pcscd)` };
  if (!existsSync(VPCD_DRIVER)) return { ok: false, reason: `${VPCD_DRIVER} missing (apt install vsmartcard-vpcd)` };
  return { ok: true };
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** vpcd opens two slots, on port and port + 1. */
async function pickPorts(preferred: number): Promise<number> {
  if ((await portFree(preferred)) && (await portFree(preferred + 1))) return preferred;
  for (let i = 0; i < 50; i++) {
    const p = 40_000 + Math.floor(Math.random() * 20_000);
    if ((await portFree(p)) && (await portFree(p + 1))) return p;
  }
  throw new Error('no free port pair for vpcd');
}

function canUnshare(): boolean {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return false;
  return spawnSync('unshare', ['--mount', '--propagation', 'private', 'true']).status === 0;
}

export async function startPcscd(opts: { vpcdPort?: number; readyTimeoutMs?: number } = {}): Promise<PcscdHarness> {
  const dir = mkdtempSync(path.join(tmpdir(), 'popp-pcscd-'));
  const confDir = path.join(dir, 'reader.conf.d');
  mkdirSync(confDir);
  const vpcdPort = await pickPorts(opts.vpcdPort ?? 35963);
  const hexPort = `0x${vpcdPort.toString(16).toUpperCase()}`;
  const readerName = 'PoPP Test vpcd';
  writeFileSync(
    path.join(confDir, 'vpcd'),
    [`FRIENDLYNAME "${readerName}"`, `DEVICENAME /dev/null:${hexPort}`, `LIBPATH ${VPCD_DRIVER}`, `CHANNELID ${hexPort}`, ''].join('\n'),
  );

  const isolated = canUnshare();
  let socketPath: string;
  let child: ChildProcess;
  const args = ['--foreground', '--auto-exit', '--error', '--config', confDir];
  if (isolated) {
    const run = path.join(dir, 'run');
    mkdirSync(path.join(run, 'pcscd'), { recursive: true });
    socketPath = path.join(run, 'pcscd', 'pcscd.comm');
    // The bind mount exists only in pcscd's namespace; the socket file is visible to the test through `run`.
    child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `mount --bind "${run}" /run && exec ${PCSCD} ${args.join(' ')}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } else {
    socketPath = '/run/pcscd/pcscd.comm';
    if (await pcscdReachable(socketPath)) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error('a system pcscd is running and no private namespace is possible: stop it or run the test as root');
    }
    child = spawn(PCSCD, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  }
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  let exited = false;
  child.once('exit', () => (exited = true));
  const kill = () => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', kill);

  const stop = async () => {
    process.removeListener('exit', kill);
    if (!exited) {
      child.kill('SIGTERM');
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, 5_000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.readyTimeoutMs ?? 10_000);
  while (!(await pcscdReachable(socketPath, 200))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`pcscd did not come up: ${out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  // vpcd listens once pcscd has loaded the reader.
  while (await portFree(vpcdPort)) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`vpcd did not listen on ${vpcdPort}: ${out.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { socketPath, vpcdPort, isolated, readerName, output: () => out, stop };
}
