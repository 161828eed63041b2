import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { ReaderError } from '../../lib/ccid/errors';

/** The part of @pokusew/pcsclite the bridge uses (its own index.d.ts, narrowed). */
export interface PcscLiteReader {
  name: string;
  state: number;
  connected: boolean;
  SCARD_SHARE_EXCLUSIVE: number;
  SCARD_PROTOCOL_T0: number;
  SCARD_PROTOCOL_T1: number;
  SCARD_STATE_PRESENT: number;
  SCARD_STATE_EMPTY: number;
  SCARD_STATE_MUTE: number;
  SCARD_STATE_UNAVAILABLE: number;
  SCARD_RESET_CARD: number;
  SCARD_LEAVE_CARD: number;
  on(type: 'status', l: (status: { state: number; atr?: Buffer }) => void): this;
  on(type: 'end', l: () => void): this;
  on(type: 'error', l: (e: unknown) => void): this;
  connect(options: { share_mode?: number; protocol?: number }, cb: (err: unknown, protocol: number) => void): void;
  disconnect(disposition: number, cb: (err: unknown) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: unknown, response: Buffer) => void): void;
  control(data: Buffer, code: number, resLen: number, cb: (err: unknown, response: Buffer) => void): void;
  SCARD_CTL_CODE(code: number): number;
  close(): void;
}

export interface PcscLite {
  on(type: 'reader', l: (r: PcscLiteReader) => void): this;
  on(type: 'error', l: (e: unknown) => void): this;
  close(): void;
}

export type PcscLiteFactory = () => PcscLite;

/** pcsc-lite's client socket (PCSCLITE_CSOCK_NAME overrides it, as in libpcsclite). */
export function pcscdSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.PCSCLITE_CSOCK_NAME ?? '/run/pcscd/pcscd.comm';
}

/**
 * Whether pcscd answers on its socket. Checked before creating a context
 * because @pokusew/pcsclite retries SCardEstablishContext in a busy loop on
 * the main thread while the service is absent (src/pcsclite.cpp), which would
 * hang the bridge instead of failing.
 */
export async function pcscdReachable(socketPath = pcscdSocketPath(), timeoutMs = 1_000): Promise<boolean> {
  if (process.platform !== 'linux') return true;
  if (!existsSync(socketPath)) return false;
  return new Promise((resolve) => {
    const s = connect(socketPath);
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
    s.setTimeout(timeoutMs, () => done(false));
  });
}

/**
 * Loads the optional native binding. Missing (no build tools, no
 * libpcsclite-dev) is PCSC_UNAVAILABLE with the fix in the message.
 */
export async function loadPcscLite(): Promise<PcscLiteFactory> {
  try {
    const mod: unknown = await import('@pokusew/pcsclite');
    const factory = typeof mod === 'function' ? mod : (mod as { default?: unknown }).default;
    if (typeof factory !== 'function') throw new Error('unexpected module shape');
    return factory as PcscLiteFactory;
  } catch (e) {
    throw new ReaderError(
      'PCSC_UNAVAILABLE',
      'PC/SC binding @pokusew/pcsclite is not installed or not built (Debian/Ubuntu: apt install pcscd libpcsclite-dev build-essential, then npm install)',
      { cause: e },
    );
  }
}
