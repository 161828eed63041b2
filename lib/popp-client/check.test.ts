import { describe, expect, it } from 'vitest';
import type { CardPresence, CardTransport } from '../card-transport/types';
import { fromHex, toHex } from '../bytes/hex';
import type { MessageChannel } from './channel';
import { runEhcCheck, type EhcProgress } from './check';
import { describeEhcError, isEhcClientError } from './errors';

/** An in-memory service end: what the client sent, plus a script reacting to it. */
function fakeService(script: (msg: { type: string; steps?: string[] }, svc: ReturnType<typeof fakeService>['svc']) => void) {
  const toClient = new Set<(t: string | null) => void>();
  const closeListeners = new Set<(i: { code: number; reason: string }) => void>();
  const sent: Array<Record<string, unknown>> = [];
  let closed: { code?: number; by: 'client' | 'service' } | undefined;
  const svc = {
    sent,
    get closed() {
      return closed;
    },
    send(msg: unknown) {
      const text = typeof msg === 'string' ? msg : JSON.stringify(msg);
      queueMicrotask(() => toClient.forEach((l) => l(text)));
    },
    sendBinary() {
      queueMicrotask(() => toClient.forEach((l) => l(null)));
    },
    close(code = 1000) {
      if (closed) return;
      closed = { code, by: 'service' };
      queueMicrotask(() => closeListeners.forEach((l) => l({ code, reason: '' })));
    },
  };
  const channel: MessageChannel = {
    send(text) {
      const m = JSON.parse(text);
      sent.push(m);
      queueMicrotask(() => script(m, svc));
    },
    close(code) {
      if (!closed) closed = { code, by: 'client' };
    },
    onMessage(l) {
      toClient.add(l);
      return () => toClient.delete(l);
    },
    onClose(l) {
      closeListeners.add(l);
      return () => closeListeners.delete(l);
    },
  };
  return { channel, svc };
}

function fakeCard(answer: (cmd: string) => string | Error) {
  const listeners = new Set<(p: CardPresence) => void>();
  const commands: string[] = [];
  const card: CardTransport & { pull(): void; commands: string[] } = {
    info: { kind: 'direct', readerName: 'fake', maxApduLength: 65544 },
    connect: async () => fromHex('3B'),
    async transmit(c) {
      const hex = toHex(c);
      commands.push(hex);
      const a = answer(hex);
      if (a instanceof Error) throw a;
      return fromHex(a);
    },
    onPresence(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close: async () => {},
    pull: () => listeners.forEach((l) => l('empty')),
    commands,
  };
  return card;
}

const scenario = (sequenceCounter: number, timeSpan: number, cmds: string[], sid: string) => ({
  type: 'StandardScenario',
  version: '1.0.0',
  clientSessionId: sid,
  sequenceCounter,
  timeSpan,
  steps: cmds.map((c) => ({ commandApdu: c, expectedStatusWords: ['9000'] })),
});

async function failure(p: Promise<unknown>) {
  try {
    await p;
  } catch (e) {
    if (isEhcClientError(e)) return e;
    throw e;
  }
  throw new Error('expected a failure');
}

const SID = '123e4567-e89b-12d3-a456-426614174000';

describe('runEhcCheck', () => {
  it('runs two scenarios and returns the token, reporting step n of m', async () => {
    const { channel, svc } = fakeService((m, s) => {
      if (m.type === 'Start') s.send(scenario(0, 500, ['00A4040C', '00B0910000'], SID));
      else if (svc.sent.length === 2) s.send(scenario(1, 0, ['0CA4040C'], SID));
      else s.send({ type: 'Token', token: 'aGVhZA.Ym9keQ.c2ln', pn: 'pn' });
    });
    const card = fakeCard((c) => (c === '00B0910000' ? 'C1030405029000' : '9000'));
    const progress: EhcProgress[] = [];
    const r = await runEhcCheck({ channel, card, clientSessionId: SID, onProgress: (p) => progress.push(p) });
    expect(r).toEqual({ token: 'aGVhZA.Ym9keQ.c2ln', clientSessionId: SID, scenarios: 2 });
    expect(svc.sent[0]).toEqual({ type: 'Start', version: '1.0.0', cardConnectionType: 'contact-standard', clientSessionId: SID });
    expect(svc.sent[1]).toEqual({ type: 'ScenarioResponse', steps: ['9000', 'c1030405029000'] });
    expect(progress.filter((p) => p.phase === 'step')).toEqual([
      { phase: 'step', scenario: 1, step: 1, steps: 2 },
      { phase: 'step', scenario: 1, step: 2, steps: 2 },
      { phase: 'step', scenario: 2, step: 1, steps: 1 },
    ]);
    expect(progress.at(-1)).toEqual({ phase: 'done' });
    expect(svc.closed).toEqual({ code: 1000, by: 'client' });
  });

  it('stops a scenario at the first unexpected status word and sends what it has', async () => {
    const { channel, svc } = fakeService((m, s) => {
      if (m.type === 'Start') s.send(scenario(0, 500, ['00010000', '00020000', '00030000'], SID));
      else s.send({ type: 'Error', errorCode: '79509', errorDetail: 'x' });
    });
    const card = fakeCard((c) => (c === '00020000' ? '6A88' : '9000'));
    const e = await failure(runEhcCheck({ channel, card, clientSessionId: SID }));
    expect(card.commands).toEqual(['00010000', '00020000']);
    expect(svc.sent[1]).toEqual({ type: 'ScenarioResponse', steps: ['9000', '6a88'] });
    expect(e.code).toBe('service-error');
    expect(e.serviceErrorCode).toBe('79509');
    expect(describeEhcError(e, 'de')).toMatch(/sicheren Kanals/);
  });

  it.each([
    ['a wrong sequence counter', (s: any) => s.send(scenario(1, 100, ['00010000'], SID))],
    ['a foreign clientSessionId', (s: any) => s.send(scenario(0, 100, ['00010000'], 'other'))],
    ['a ConnectorScenario', (s: any) => s.send({ type: 'ConnectorScenario', version: '1.0.0', signedScenario: 'a.b.c' })],
  ])('refuses %s and closes with 4003', async (_n, react) => {
    const { channel, svc } = fakeService((m, s) => m.type === 'Start' && react(s));
    const card = fakeCard(() => '9000');
    const e = await failure(runEhcCheck({ channel, card, clientSessionId: SID }));
    expect(e.code).toBe('unexpected-message');
    expect(card.commands).toEqual([]);
    expect(svc.closed).toEqual({ code: 4003, by: 'client' });
  });

  it('refuses a scenario after the one announced as last (replay guard)', async () => {
    const { channel } = fakeService((m, s) => {
      if (m.type === 'Start') s.send(scenario(0, 0, ['00010000'], SID));
      else s.send(scenario(1, 0, ['00010000'], SID));
    });
    const e = await failure(runEhcCheck({ channel, card: fakeCard(() => '9000'), clientSessionId: SID }));
    expect(e.code).toBe('unexpected-message');
  });

  it.each([
    ['not JSON', (s: any) => s.send('{oops')],
    ['a schema violation', (s: any) => s.send({ ...scenario(0, 40000, [], SID) })],
    ['a binary frame', (s: any) => s.sendBinary()],
  ])('refuses %s as invalid-message', async (_n, react) => {
    const { channel } = fakeService((m, s) => m.type === 'Start' && react(s));
    const e = await failure(runEhcCheck({ channel, card: fakeCard(() => '9000'), clientSessionId: SID }));
    expect(e.code).toBe('invalid-message');
  });

  it('honours timeSpan: silence past timeSpan + margin is a timeout', async () => {
    const { channel, svc } = fakeService((m, s) => m.type === 'Start' && s.send(scenario(0, 30, ['00010000'], SID)));
    const t0 = Date.now();
    const e = await failure(runEhcCheck({ channel, card: fakeCard(() => '9000'), clientSessionId: SID, timing: { marginMs: 20 } }));
    expect(e.code).toBe('timeout');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    expect(svc.closed).toEqual({ code: 4004, by: 'client' });
  });

  it('waits for the first scenario only firstScenarioMs', async () => {
    const { channel } = fakeService(() => {});
    const e = await failure(runEhcCheck({ channel, card: fakeCard(() => '9000'), timing: { firstScenarioMs: 20 } }));
    expect(e.code).toBe('timeout');
  });

  it('a pulled card ends the check: no ScenarioResponse, channel closed with 4001', async () => {
    let card: ReturnType<typeof fakeCard>;
    const { channel, svc } = fakeService((m, s) => m.type === 'Start' && s.send(scenario(0, 100, ['00010000', '00020000'], SID)));
    card = fakeCard((c) => {
      if (c === '00010000') card.pull();
      return '9000';
    });
    const e = await failure(runEhcCheck({ channel, card, clientSessionId: SID }));
    expect(e.code).toBe('card-removed');
    expect(card.commands).toEqual(['00010000']);
    expect(svc.sent.map((m) => m.type)).toEqual(['Start']);
    expect(svc.closed).toEqual({ code: 4001, by: 'client' });
  });

  it('a reader failure is card-error', async () => {
    const { channel, svc } = fakeService((m, s) => m.type === 'Start' && s.send(scenario(0, 100, ['00010000'], SID)));
    const e = await failure(runEhcCheck({ channel, card: fakeCard(() => new Error('reader gone')), clientSessionId: SID }));
    expect(e.code).toBe('card-error');
    expect(svc.closed?.code).toBe(4002);
  });

  it('a service that closes without a result is channel-closed', async () => {
    const { channel } = fakeService((m, s) => m.type === 'Start' && s.close(1011));
    const e = await failure(runEhcCheck({ channel, card: fakeCard(() => '9000') }));
    expect(e.code).toBe('channel-closed');
    expect(e.details?.closeCode).toBe(1011);
  });

  it('an Error followed by the service’s close surfaces the Error, not the close', async () => {
    const { channel } = fakeService((m, s) => {
      if (m.type !== 'Start') return;
      s.send({ type: 'Error', errorCode: '79511' });
      s.close(1000);
    });
    const e = await failure(runEhcCheck({ channel, card: fakeCard(() => '9000') }));
    expect(e.serviceErrorCode).toBe('79511');
  });

  it('can be aborted', async () => {
    const ac = new AbortController();
    const { channel, svc } = fakeService(() => setTimeout(() => ac.abort(), 5));
    const e = await failure(runEhcCheck({ channel, card: fakeCard(() => '9000'), signal: ac.signal }));
    expect(e.code).toBe('aborted');
    expect(svc.closed?.code).toBe(4005);
  });
});
