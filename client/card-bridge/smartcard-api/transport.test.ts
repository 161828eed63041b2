import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../../lib/bytes/hex';
import type { CardPresence } from '../../../lib/card-transport/types';
import type { SmartCardReaderStateOut, SmartCardResourceManagerLike } from './smartcard-types';
import { SmartCardApiTransport, smartCardApiAvailability } from './transport';

const ab = (h: string) => fromHex(h).buffer as ArrayBuffer;

/** A navigator.smartCard stand-in with one reader whose state the test drives. */
function fakeManager() {
  const waiters: ((s: SmartCardReaderStateOut[]) => void)[] = [];
  const calls: string[] = [];
  let present = true;
  const manager: SmartCardResourceManagerLike = {
    async establishContext() {
      return {
        async listReaders() {
          return ['Reader A'];
        },
        getStatusChange(_states, options) {
          return new Promise((resolve, reject) => {
            waiters.push(resolve);
            options?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
          });
        },
        async connect(reader, mode, opts) {
          calls.push(`connect ${reader} ${mode} ${opts?.preferredProtocols?.join(',')}`);
          if (!present) throw Object.assign(new DOMException('no card', 'SmartCardError'), { responseCode: 'no-smartcard' });
          return {
            activeProtocol: 't1',
            connection: {
              async transmit(apdu) {
                if (!present) throw Object.assign(new DOMException('removed', 'SmartCardError'), { responseCode: 'removed-card' });
                return apdu[1] === 0xa4 ? ab('9000') : ab('6D00');
              },
              async status() {
                return { readerName: reader, state: 'specific', answerToReset: ab('3B909681B1FE451F0391') };
              },
              async disconnect(d) {
                calls.push(`disconnect ${d}`);
              },
            },
          };
        },
      };
    },
  };
  const setPresent = (p: boolean) => {
    present = p;
    const w = waiters.shift();
    w?.([{ readerName: 'Reader A', eventState: p ? { present: true, changed: true } : { empty: true, changed: true } }]);
  };
  return { manager, calls, setPresent };
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('SmartCardApiTransport', () => {
  it('is hidden with a one-line reason where the API is missing', () => {
    const a = smartCardApiAvailability(undefined);
    expect(a.available).toBe(false);
    expect(!a.available && a.reason.split('\n')).toHaveLength(1);
  });

  it('connects exclusively preferring T=1, transmits, and follows presence', async () => {
    const f = fakeManager();
    const t = new SmartCardApiTransport('Reader A', f.manager);
    const seen: CardPresence[] = [];
    t.onPresence((p) => seen.push(p));
    expect(toHex(await t.connect())).toBe('3B909681B1FE451F0391');
    expect(f.calls[0]).toBe('connect Reader A exclusive t1,t0');
    expect(toHex(await t.transmit(fromHex('00A4040C')))).toBe('9000');
    await tick();
    f.setPresent(false);
    await tick();
    expect(seen).toEqual(['present', 'empty']);
    await expect(t.transmit(fromHex('00A4040C'))).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await expect(t.connect()).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    f.setPresent(true);
    await tick();
    await t.connect();
    expect(toHex(await t.transmit(fromHex('00A4040C')))).toBe('9000');
    await t.close();
    expect(f.calls).toContain('disconnect reset');
  });

  it('maps a removed card during transmit to CARD_REMOVED', async () => {
    const f = fakeManager();
    const t = new SmartCardApiTransport('Reader A', f.manager);
    await t.connect();
    f.setPresent(false);
    await expect(t.transmit(fromHex('00A4040C'))).rejects.toMatchObject({ code: expect.stringMatching(/CARD_REMOVED|NOT_CONNECTED/) });
    await t.close();
  });
});
