import { connect, type Socket } from 'node:net';
import type { VirtualCard } from '../virtual-backend';

/**
 * A card for vsmartcard's vpcd driver: the card side connects to the port
 * pcscd's vpcd reader listens on and answers frames of a 2-byte big-endian
 * length plus payload. A 1-byte payload is a control code (00 power off,
 * 01 power on, 02 reset, 04 ATR request); anything longer is an APDU.
 */
export const VPCD_DEFAULT_PORT = 35963;
const CTRL_OFF = 0x00;
const CTRL_ON = 0x01;
const CTRL_RESET = 0x02;
const CTRL_ATR = 0x04;

export interface VpcdCardConnection {
  socket: Socket;
  /** Pulls the card: closing the socket is "card removed" for vpcd. */
  close(): Promise<void>;
}

export async function connectVpcdCard(card: VirtualCard, opts: { host?: string; port?: number } = {}): Promise<VpcdCardConnection> {
  const socket = connect(opts.port ?? VPCD_DEFAULT_PORT, opts.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  socket.setNoDelay(true);
  let buffer = Buffer.alloc(0);
  let atr = await card.reset();
  let queue: Promise<void> = Promise.resolve();
  const reply = (payload: Uint8Array) => {
    const head = Buffer.alloc(2);
    head.writeUInt16BE(payload.length);
    socket.write(Buffer.concat([head, Buffer.from(payload)]));
  };
  const handle = async (frame: Buffer) => {
    if (frame.length === 1) {
      switch (frame[0]) {
        case CTRL_ON:
        case CTRL_RESET:
          atr = await card.reset();
          return;
        case CTRL_ATR:
          reply(atr);
          return;
        case CTRL_OFF:
        default:
          return;
      }
    }
    reply(await card.transmit(new Uint8Array(frame)));
  };
  socket.on('data', (chunk) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 2 && buffer.length >= 2 + buffer.readUInt16BE(0)) {
      const frame = buffer.subarray(2, 2 + buffer.readUInt16BE(0));
      buffer = buffer.subarray(2 + frame.length);
      queue = queue.then(() => handle(Buffer.from(frame))).catch(() => reply(new Uint8Array([0x6f, 0x00])));
    }
  });
  socket.on('error', () => undefined);
  return {
    socket,
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        socket.once('close', () => resolve());
        socket.end();
        setTimeout(() => socket.destroy(), 500).unref();
      }),
  };
}
