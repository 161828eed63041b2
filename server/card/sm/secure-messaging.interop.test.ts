import { describe, expect, it } from 'vitest';
import { AID, readBinary, selectAid, selectEf, selectMf } from '../../../lib/apdu/commands';
import type { CommandApdu } from '../../../lib/apdu/command';
import { toHex } from '../../../lib/bytes';
import { interopAvailable } from '../../testing/interop';
import { nodeCardCrypto } from '../crypto-node';
import { READ_CERTS_SESSION_KEYS, readTrace } from '../testing/interop-fixtures';
import { SecureMessaging } from './secure-messaging';

const available = interopAvailable();

/** The plain commands behind the protected part of read-certs.jsonl (after PACE, exchange 10 on). */
const INNER: CommandApdu[] = [
  selectAid(AID.DF_ESIGN),
  selectEf(0xc504, { fcp: true }),
  readBinary({ offset: 0, ne: 65536 }),
  readBinary({ offset: 0x036e, ne: 65536 }),
  selectMf(),
  selectEf(0x2f06, { fcp: true }),
  readBinary({ offset: 0, ne: 65536 }),
  readBinary({ offset: 0x00de, ne: 65536 }),
];

describe.skipIf(!available)('secure messaging against a real card (read-certs.jsonl)', () => {
  const trace = available ? readTrace('read-certs.jsonl') : { exchanges: [], header: {} };
  const sm = trace.exchanges.filter((e) => (e.tx[0] & 0x0c) === 0x0c);

  it('has the eight protected exchanges after PACE', () => {
    expect(sm.length).toBe(8);
    expect(trace.exchanges.indexOf(sm[0])).toBe(9);
  });

  it('service side: every command reproduced byte for byte, every response MAC verified and decrypted', () => {
    const service = new SecureMessaging(nodeCardCrypto, READ_CERTS_SESSION_KEYS);
    const results = sm.map((e, i) => {
      expect(toHex(service.wrapCommand(INNER[i])), `command ${i}`).toBe(toHex(e.tx));
      return service.unwrapResponse(e.rx);
    });
    expect(results.map((r) => r.sw.toString(16))).toEqual(['9000', '9000', '9000', '6b00', '9000', '9000', '9000', '6b00']);
    expect(results.every((r) => r.authenticated)).toBe(true);
    // SELECT with FCP answers in clear (DO 81); READ BINARY under SMRSPENC answers encrypted (DO 87).
    expect(results.map((r) => r.encrypted)).toEqual([false, false, true, false, false, false, true, false]);
    expect(toHex(results[1].data.slice(0, 4))).toBe('6282015C');
    expect(results[2].data.length).toBe(0x036e);
    expect(toHex(results[2].data.slice(0, 2))).toBe('3082');
    expect(results[6].data.length).toBe(0xde);
    expect(toHex(results[6].data.slice(0, 2))).toBe('7F21');
    expect(service.sendSequenceCounter).toBe(16n);
  });

  it('card side: unwraps every command to the same plain command and re-creates every response byte for byte', () => {
    const card = new SecureMessaging(nodeCardCrypto, READ_CERTS_SESSION_KEYS);
    const service = new SecureMessaging(nodeCardCrypto, READ_CERTS_SESSION_KEYS);
    sm.forEach((e, i) => {
      const u = card.unwrapCommand(e.tx);
      expect([u.cla, u.ins, u.p1, u.p2, toHex(u.data), u.ne]).toEqual([
        INNER[i].cla,
        INNER[i].ins,
        INNER[i].p1,
        INNER[i].p2,
        toHex(INNER[i].data),
        INNER[i].ne,
      ]);
      service.wrapCommand(INNER[i]);
      const r = service.unwrapResponse(e.rx);
      expect(toHex(card.wrapResponse(r.data, r.sw, { encrypt: r.encrypted })), `response ${i}`).toBe(toHex(e.rx));
    });
  });

  it('a flipped bit anywhere in a response is SM_MAC_INVALID or SM_MALFORMED and closes the session', () => {
    const e = sm[2];
    for (const pos of [0, 5, 100, e.rx.length - 12, e.rx.length - 3]) {
      const service = new SecureMessaging(nodeCardCrypto, READ_CERTS_SESSION_KEYS, 4n);
      service.wrapCommand(INNER[2]);
      const bad = e.rx.slice();
      bad[pos] ^= 0x01;
      expect(() => service.unwrapResponse(bad)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^SM_(MAC_INVALID|MALFORMED)$/) }));
      expect(service.isClosed).toBe(true);
      expect(() => service.wrapCommand(INNER[3])).toThrow(expect.objectContaining({ code: 'SM_SESSION_CLOSED' }));
    }
  });
});
