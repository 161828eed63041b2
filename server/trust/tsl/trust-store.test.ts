import { describe, expect, it } from 'vitest';
import { makeEgkPki } from '../testing/certs';
import { generatedTslXml, makeTslSigner } from '../testing/fixtures';
import { TrustStore, type TrustAlarm, type TrustStoreTimer } from './trust-store';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;

function manualTimer() {
  const fns: (() => void)[] = [];
  const timer: TrustStoreTimer = {
    setInterval: (fn) => (fns.push(fn), fns.length - 1),
    clearInterval: (h) => {
      fns[h as number] = () => undefined;
    },
  };
  return { timer, tick: () => fns.forEach((f) => f()), count: () => fns.length };
}

describe('TrustStore', () => {
  const pki = makeEgkPki(NOW);
  const signer = makeTslSigner(NOW);
  const roots = [{ cn: pki.root.cert.subjectCn!, cert: pki.root.cert, links: [] }];
  const tsl = (o: { seq: number; nextUpdate?: Date; signer?: typeof signer }) =>
    generatedTslXml(pki, { now: NOW, sequenceNumber: o.seq, nextUpdate: o.nextUpdate, signer: o.signer ?? signer }).xml;

  function store(files: () => string | Promise<string>) {
    let now = NOW;
    const alarms: TrustAlarm[] = [];
    const t = manualTimer();
    const s = new TrustStore({
      fetchTsl: async () => files(),
      pin: { kind: 'certificate', sha256: [signer.cert.fingerprint256] },
      roots,
      now: () => now,
      timer: t.timer,
      onAlarm: (a) => alarms.push(a),
    });
    return { s, alarms, t, setNow: (d: Date) => (now = d) };
  }

  it('loads, then replaces the list on a scheduled reload', async () => {
    let file = tsl({ seq: 1 });
    const { s, t } = store(() => file);
    expect((await s.init()).info.sequenceNumber).toBe(1n);
    s.start();
    file = tsl({ seq: 2 });
    t.tick();
    await s.reload(); // joins the run the tick started
    expect(s.current().info.sequenceNumber).toBe(2n);
    s.stop();
  });

  it('keeps the last good list and raises an alarm for an expired, a badly signed, an older or an unreachable list', async () => {
    let file: string | Error = tsl({ seq: 5 });
    const { s, alarms } = store(() => {
      if (file instanceof Error) throw file;
      return file;
    });
    await s.init();
    const other = makeTslSigner(NOW);
    const candidates: [string | Error, string, TrustAlarm['kind']][] = [
      [tsl({ seq: 6, nextUpdate: new Date(NOW.getTime() - DAY) }), 'TSL_EXPIRED', 'tsl-rejected'],
      [tsl({ seq: 6 }).replace('POPP.EGK-CA1', 'POPP.EGK-CA2'), 'TSL_SIGNATURE_INVALID', 'tsl-rejected'],
      [tsl({ seq: 6, signer: other }), 'TSL_SIGNER_UNTRUSTED', 'tsl-rejected'],
      [tsl({ seq: 4 }), 'TSL_OUTDATED', 'tsl-rejected'],
      [new Error('HTTP 503'), 'TSL_FETCH_FAILED', 'tsl-fetch-failed'],
    ];
    for (const [candidate, code, kind] of candidates) {
      file = candidate;
      const outcome = await s.reload();
      expect(outcome.ok).toBe(false);
      expect(alarms.at(-1)).toMatchObject({ kind, code, kept: { sequenceNumber: 5n } });
      expect(s.current().info.sequenceNumber).toBe(5n);
    }
    expect(alarms).toHaveLength(candidates.length);
  });

  it('refuses to start without a valid list, and stops deciding once the kept list itself expires', async () => {
    const bad = store(() => tsl({ seq: 1, nextUpdate: new Date(NOW.getTime() - 1) }));
    await expect(bad.s.init()).rejects.toMatchObject({ code: 'TSL_EXPIRED' });
    expect(() => bad.s.current()).toThrowError(expect.objectContaining({ code: 'TSL_UNAVAILABLE' }));

    const { s, alarms, setNow } = store(() => tsl({ seq: 1, nextUpdate: new Date(NOW.getTime() + DAY) }));
    await s.init();
    setNow(new Date(NOW.getTime() + 2 * DAY));
    expect(() => s.current()).toThrowError(expect.objectContaining({ code: 'TSL_UNAVAILABLE', bde: 79100 }));
    expect(() => s.current()).toThrowError(expect.objectContaining({ code: 'TSL_UNAVAILABLE' }));
    expect(alarms.map((a) => a.kind)).toEqual(['tsl-in-use-expired']);
  });
});
