/**
 * PcscBackend against a stand-in for @pokusew/pcsclite (the real pcscd run is
 * pcsc.integration.test.ts): presence from status events, exclusive connect,
 * T=0 completion, PC/SC error codes, the part-10 max APDU size, reset on disconnect.
 */
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../lib/bytes/hex';
import { PcscBackend, pcscError } from './pcsc-backend';
import type { PcscLite, PcscLiteReader } from './pcsc-loader';

const C = {
  SCARD_SHARE_EXCLUSIVE: 1,
  SCARD_PROTOCOL_T0: 1,
  SCARD_PROTOCOL_T1: 2,
  SCARD_STATE_PRESENT: 0x20,
  SCARD_STATE_EMPTY: 0x10,
  SCARD_STATE_MUTE: 0x200,
  SCARD_STATE_UNAVAILABLE: 0x08,
  SCARD_RESET_CARD: 1,
  SCARD_LEAVE_CARD: 0,
};

class FakeReader extends EventEmitter {
  name: string;
  state = 0;
  connected = false;
  protocol: number;
  log: string[] = [];
  card: (apdu: string) => string;
  tlv: Buffer | undefined;
  constructor(name: string, protocol: number, card: (apdu: string) => string, tlv?: Buffer) {
    super();
    this.name = name;
    this.protocol = protocol;
    this.card = card;
    this.tlv = tlv;
    Object.assign(this, C);
  }
  SCARD_CTL_CODE(code: number) {
    return 0x42000000 + code;
  }
  connect(options: { share_mode?: number; protocol?: number }, cb: (err: unknown, protocol: number) => void) {
    this.log.push(`connect share=${options.share_mode} protocols=${options.protocol}`);
    this.connected = true;
    cb(null, this.protocol);
  }
  disconnect(disposition: number, cb: (err: unknown) => void) {
    this.log.push(`disconnect ${disposition}`);
    this.connected = false;
    cb(null);
  }
  transmit(data: Buffer, _len: number, _p: number, cb: (err: unknown, r: Buffer) => void) {
    const apdu = toHex(new Uint8Array(data));
    this.log.push(apdu);
    if (!(this.state & C.SCARD_STATE_PRESENT)) return cb(new Error('SCardTransmit error: Card was removed.(0x80100069)'), Buffer.alloc(0));
    cb(null, Buffer.from(fromHex(this.card(apdu))));
  }
  control(_d: Buffer, code: number, _len: number, cb: (err: unknown, r: Buffer) => void) {
    if (!this.tlv) return cb(new Error('SCardControl error: Transaction failed.(0x80100016)'), Buffer.alloc(0));
    if (code === 0x42000000 + 3400) return cb(null, Buffer.from([0x12, 4, 0x42, 0x33, 0x00, 0x12]));
    if (code === 0x42330012) return cb(null, this.tlv);
    cb(new Error('bad code'), Buffer.alloc(0));
  }
  status(present: boolean, atr?: string) {
    this.state = present ? C.SCARD_STATE_PRESENT : C.SCARD_STATE_EMPTY;
    this.emit('status', { state: this.state, atr: atr ? Buffer.from(fromHex(atr)) : undefined });
  }
  close() {
    this.log.push('close');
  }
}

let sockDir: string;
let sock: Server;
beforeAll(async () => {
  // PcscBackend.start checks that pcscd's socket answers before creating a context.
  sockDir = mkdtempSync(path.join(tmpdir(), 'popp-fake-pcscd-'));
  process.env.PCSCLITE_CSOCK_NAME = path.join(sockDir, 'pcscd.comm');
  sock = createServer((s) => s.end());
  await new Promise<void>((r) => sock.listen(process.env.PCSCLITE_CSOCK_NAME, r));
});
afterAll(async () => {
  await new Promise<void>((r) => sock.close(() => r()));
  rmSync(sockDir, { recursive: true, force: true });
});

async function backendWith(...readers: FakeReader[]) {
  const pcsc = new EventEmitter() as unknown as PcscLite & EventEmitter;
  (pcsc as unknown as { close(): void }).close = () => undefined;
  const backend = await PcscBackend.start({ factory: () => pcsc });
  for (const r of readers) pcsc.emit('reader', r as unknown as PcscLiteReader);
  return backend;
}

describe('PcscBackend', () => {
  it('follows presence, connects exclusively, and resets the card on disconnect', async () => {
    const r = new FakeReader('Reader T1', C.SCARD_PROTOCOL_T1, () => '9000', Buffer.from([0x0a, 4, 0x00, 0x00, 0x01, 0x00]));
    const b = await backendWith(r);
    const changes: string[] = [];
    b.onChange(() => changes.push(b.readers().map((x) => x.presence).join()));
    await expect(b.connect('Reader T1')).rejects.toMatchObject({ code: 'NO_CARD' });
    r.status(true, '3B909681B1FE451F0391');
    expect(b.readers()).toEqual([{ name: 'Reader T1', presence: 'present', atr: fromHex('3B909681B1FE451F0391') }]);
    const s = await b.connect('Reader T1');
    expect(s).toMatchObject({ protocol: 'T1', maxApduLength: 65544 });
    expect(toHex(s.atr)).toBe('3B909681B1FE451F0391');
    expect(r.log[0]).toBe('connect share=1 protocols=3');
    expect(toHex(await s.transmit(fromHex('00A4040C')))).toBe('9000');
    await s.disconnect();
    expect(r.log).toContain(`disconnect ${C.SCARD_RESET_CARD}`);
    await expect(b.connect('nope')).rejects.toMatchObject({ code: 'READER_GONE' });
    expect(changes).toContain('present');
    await b.close();
  });

  it('completes T=0 answers and reports short APDUs when the driver gives no size', async () => {
    const r = new FakeReader('Reader T0', C.SCARD_PROTOCOL_T0, (a) => (a === '00B0000000' ? '6C04' : a === '00B0000004' ? '01020304' + '6102' : '0506' + '9000'));
    const b = await backendWith(r);
    r.status(true, '3B021450');
    const s = await b.connect('Reader T0');
    expect(s).toMatchObject({ protocol: 'T0', maxApduLength: 261 });
    expect(toHex(await s.transmit(fromHex('00B0000000')))).toBe('010203040506' + '9000');
    expect(r.log.slice(-3)).toEqual(['00B0000000', '00B0000004', '00C0000002']);
    await b.close();
  });

  it('a card change ends the old session with CARD_REMOVED', async () => {
    const r = new FakeReader('Reader', C.SCARD_PROTOCOL_T1, () => '9000');
    const b = await backendWith(r);
    r.status(true, '3B909681B1FE451F0391');
    const s = await b.connect('Reader');
    r.status(false);
    r.status(true, '3B909681B1FE451F0391');
    await expect(s.transmit(fromHex('00A4040C'))).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    await b.close();
  });

  it('maps pcsc-lite return codes to reader codes', () => {
    expect(pcscError(new Error('SCardTransmit error: Card was removed.(0x80100069)'), 'x').code).toBe('CARD_REMOVED');
    expect(pcscError(new Error('SCardConnect error: Sharing violation.(0x8010000B)'), 'x').code).toBe('BUSY');
    expect(pcscError(new Error('SCardTransmit error: Card was reset.(0x80100068)'), 'x').code).toBe('NOT_CONNECTED');
    expect(pcscError(new Error('weird'), 'x').code).toBe('PCSC_ERROR');
  });

  it('refuses to start without an answering pcscd instead of hanging', async () => {
    const saved = process.env.PCSCLITE_CSOCK_NAME;
    process.env.PCSCLITE_CSOCK_NAME = path.join(sockDir, 'missing.comm');
    try {
      await expect(PcscBackend.start({ factory: () => new EventEmitter() as unknown as PcscLite })).rejects.toMatchObject({ code: 'PCSC_UNAVAILABLE' });
    } finally {
      process.env.PCSCLITE_CSOCK_NAME = saved;
    }
  });
});
