import { request } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { CardTransport } from '../../../lib/card-transport/types';
import { runEhcCheck, webSocketChannel } from '../../../lib/popp-client';
import type { EhcDeps, EhcLogEvent, EhcTokenInput } from './deps';
import type { EhcFlow, PlannedScenario } from './flow-types';
import { serveEhc } from './test-server';
import { createEhcEndpointWithFlow, type EhcEndpoint } from './ws-endpoint';

/**
 * The WebSocket plumbing with a stand-in flow (two rounds of two steps, no cards):
 * handshake answers, message validation, limits, deadlines and session lifecycle.
 * The card conversation itself is tested in ehc.test.ts.
 */

const step = (id: string, hex: string): PlannedScenario['steps'][number] => ({
  id,
  phase: 'open-egk',
  command: Uint8Array.from(Buffer.from(hex, 'hex')),
  expected: [0x9000],
});

function fakeFlow(): EhcFlow {
  let round = 0;
  return {
    first: () => ({ steps: [step('a', '00010000'), step('b', '00020000')], last: false }),
    async answer(responses) {
      round++;
      await new Promise((r) => setTimeout(r, 5)); // async like the real checks
      if (responses.some((r) => r.sw !== 0x9000)) throw new (await import('./errors')).EhcError('sw-open-egk', 'sw');
      if (round === 1) return { kind: 'scenario', scenario: { steps: [step('c', '00030000')], last: true } };
      return { kind: 'identity', patientId: 'X110540756', insurerId: '109500969' };
    },
  };
}

const card: CardTransport = {
  info: { kind: 'direct', readerName: 'test', maxApduLength: 261 },
  connect: async () => new Uint8Array([0x3b]),
  transmit: async () => Uint8Array.of(0x90, 0x00),
  onPresence: () => () => {},
  close: async () => {},
};

const issued: EhcTokenInput[] = [];
/** When set, the token function waits for it: the window in which a client can still leave. */
let issueGate: { promise: Promise<void>; open: () => void } | null = null;
const logs: EhcLogEvent[] = [];
let authOk = true;
let production = false;

const deps: EhcDeps = {
  authenticate: async () => (authOk ? { telematikId: '1-20014060625', professionOid: '1.2.276.0.76.4.50' } : null),
  issueToken: async (input) => {
    issued.push(input);
    await issueGate?.promise;
    return 'eyJhbGciOiJFUzI1NiJ9.eyJ0ZXN0IjoxfQ.c2ln';
  },
  trust: {} as EhcDeps['trust'],
  config: {
    cardTimeBudgetMs: 300,
    maxFrameBytes: 65536,
    get production() {
      return production;
    },
  },
  now: () => Date.now(),
  log: (e) => logs.push(e),
};

let endpoint: EhcEndpoint;
let url: string;
let stop: () => Promise<void>;

beforeAll(async () => {
  endpoint = createEhcEndpointWithFlow(deps, fakeFlow);
  ({ url, stop } = await serveEhc(endpoint));
});
afterAll(() => stop());
beforeEach(() => {
  issued.length = 0;
  logs.length = 0;
  authOk = true;
  production = false;
});

type Seen = { messages: any[]; closeCode?: number };

/** Opens a raw socket, runs `script` on open, and collects messages until the close. */
function raw(script: (ws: WebSocket, seen: Seen) => void, opts: { headers?: Record<string, string> } = {}): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: opts.headers });
    const seen: Seen = { messages: [] };
    ws.on('open', () => script(ws, seen));
    ws.on('message', (d) => seen.messages.push(JSON.parse(d.toString())));
    ws.on('close', (code) => resolve({ ...seen, closeCode: code }));
    ws.on('error', reject);
  });
}

const START = JSON.stringify({ type: 'Start', version: '1.0.0', cardConnectionType: 'contact-standard', clientSessionId: 'c-1' });
const OK2 = JSON.stringify({ type: 'ScenarioResponse', steps: ['9000', '9000'] });

async function fullCheck() {
  const ws = new WebSocket(url);
  const channel = await webSocketChannel(ws as never);
  return runEhcCheck({ channel, card });
}

async function expectError(code: string, script: (ws: WebSocket, seen: Seen) => void) {
  const seen = await raw(script);
  expect(seen.messages.at(-1)).toMatchObject({ type: 'Error', errorCode: code });
  expect(seen.messages.at(-1).errorDetail.length).toBeGreaterThan(5);
  expect(seen.closeCode).toBe(1000);
  await new Promise((r) => setTimeout(r, 10));
  expect(endpoint.stats().sessions).toBe(0);
  expect(issued).toEqual([]);
  // …and the endpoint still serves.
  expect((await fullCheck()).token).toMatch(/^eyJ/);
}

describe('handshake', () => {
  function upgrade(headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const u = new URL(url.replace('ws:', 'http:'));
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, headers: { Connection: 'Upgrade', Upgrade: 'websocket', ...headers } });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
  }
  const key = { 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' };

  it('426 for a bad Sec-WebSocket-Version', async () => expect(await upgrade({ ...key, 'Sec-WebSocket-Version': '8' })).toBe(426));
  it('400 for a missing key', async () => expect(await upgrade({ 'Sec-WebSocket-Version': '13' })).toBe(400));
  it('401 when the institution is not authenticated', async () => {
    authOk = false;
    expect(await upgrade({ ...key, 'Sec-WebSocket-Version': '13' })).toBe(401);
    expect(logs).toContainEqual({ event: 'ehc.upgrade-refused', status: 401 });
  });
  it('404 in production without the full trust decision, 101 with it', async () => {
    production = true;
    expect(await upgrade({ ...key, 'Sec-WebSocket-Version': '13' })).toBe(404);
    deps.trust.fullTrustDecision = true;
    try {
      expect(await upgrade({ ...key, 'Sec-WebSocket-Version': '13' })).toBe(101);
    } finally {
      delete deps.trust.fullTrustDecision;
    }
  });
  it('101 otherwise', async () => expect(await upgrade({ ...key, 'Sec-WebSocket-Version': '13' })).toBe(101));
});

describe('a whole check over the client core', () => {
  it('Start → two scenarios → Token, then the service closes; the token function gets the actor and the card time', async () => {
    const t0 = Math.floor(Date.now() / 1000);
    const r = await fullCheck();
    expect(r.scenarios).toBe(2);
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({
      proofMethod: 'ehc-practitioner-trustedchannel',
      patientId: 'X110540756',
      insurerId: '109500969',
      actor: { telematikId: '1-20014060625', professionOid: '1.2.276.0.76.4.50' },
    });
    expect(issued[0].patientProofTime).toBeGreaterThanOrEqual(t0);
    await new Promise((r) => setTimeout(r, 10));
    expect(endpoint.stats().sessions).toBe(0);
    const end = logs.find((l) => l.event === 'ehc.session-end' && l.sessionId === issued[0].sessionId);
    expect(end).toMatchObject({ outcome: 'token', rounds: 2 });
    expect(JSON.stringify(logs)).not.toMatch(/X110540756|eyJ/);
  });

  it('sends sequenceCounter 0, 1 and timeSpan > 0, then 0', async () => {
    const seen = await raw((ws, s) => {
      ws.send(START);
      ws.on('message', () => {
        if (s.messages.length === 1) ws.send(OK2);
        else if (s.messages.length === 2) ws.send(JSON.stringify({ type: 'ScenarioResponse', steps: ['9000'] }));
      });
    });
    expect(seen.messages.map((m) => [m.type, m.sequenceCounter, m.timeSpan])).toEqual([
      ['StandardScenario', 0, 2000],
      ['StandardScenario', 1, 0],
      ['Token', undefined, undefined],
    ]);
    expect(seen.messages[0]).toMatchObject({ clientSessionId: 'c-1', steps: [{ commandApdu: '00010000', expectedStatusWords: ['9000'] }, {}] });
  });
});

describe('bad input ends the session with the right Error, frees it, issues nothing', () => {
  it('malformed JSON → 79511', () => expectError('79511', (ws) => ws.send('{"type":')));
  it('unknown type → 79511', () => expectError('79511', (ws) => ws.send('{"type":"Hello"}')));
  it('wrong version → 79511', () => expectError('79511', (ws) => ws.send(START.replace('1.0.0', '1.1.0'))));
  it('binary frame → 79511', () => expectError('79511', (ws) => ws.send(Buffer.from(START))));
  it('frame above 64 KiB → 79511', () =>
    expectError('79511', (ws) => ws.send(JSON.stringify({ type: 'Start', pad: 'x'.repeat(65536) }))));
  it('a service message from the client → 79513', () => expectError('79513', (ws) => ws.send('{"type":"Token","token":"a.b.c"}')));
  it('ScenarioResponse before Start → 79513', () => expectError('79513', (ws) => ws.send(OK2)));
  it('a second Start → 79513', () =>
    expectError('79513', (ws) => {
      ws.send(START);
      ws.send(START);
    }));
  it('a replayed ScenarioResponse → 79513', () =>
    expectError('79513', (ws, s) => {
      ws.send(START);
      ws.on('message', () => s.messages.length === 1 && (ws.send(OK2), ws.send(OK2)));
    }));
  it('more responses than steps → 79511', () =>
    expectError('79511', (ws, s) => {
      ws.send(START);
      ws.on('message', () => s.messages.length === 1 && ws.send(JSON.stringify({ type: 'ScenarioResponse', steps: ['9000', '9000', '9000'] })));
    }));
  it('fewer responses whose last is an expected status word → 79511', () =>
    expectError('79511', (ws, s) => {
      ws.send(START);
      ws.on('message', () => s.messages.length === 1 && ws.send(JSON.stringify({ type: 'ScenarioResponse', steps: ['9000'] })));
    }));
  it('no responses at all → 79511', () =>
    expectError('79511', (ws, s) => {
      ws.send(START);
      ws.on('message', () => s.messages.length === 1 && ws.send(JSON.stringify({ type: 'ScenarioResponse', steps: [] })));
    }));
  it('fewer responses ending in an unexpected status word are valid (the flow decides: here 79506)', () =>
    expectError('79506', (ws, s) => {
      ws.send(START);
      ws.on('message', () => s.messages.length === 1 && ws.send(JSON.stringify({ type: 'ScenarioResponse', steps: ['6a82'] })));
    }));
  it('a client silent past the card-time budget → 79513', () =>
    expectError('79513', (ws, s) => {
      ws.send(START); // …and then nothing
      void s;
    }));
  it('a client that never sends Start → 79513 after the budget', () => expectError('79513', () => {}));
  it('contactless or connector clients → 79513 (not supported here)', () =>
    expectError('79513', (ws) => ws.send(START.replace('contact-standard', 'contact-connector'))));
});

describe('limits and lifecycle', () => {
  it('a frame above twice the cap is cut off by ws (1009) and the session freed', async () => {
    const seen = await raw((ws) => ws.send('x'.repeat(140_000)));
    expect(seen.closeCode).toBe(1009);
    await new Promise((r) => setTimeout(r, 10));
    expect(endpoint.stats().sessions).toBe(0);
    expect(logs.some((l) => l.event === 'ehc.session-end' && l.outcome === 'frame-too-large')).toBe(true);
  });

  it('a client that closes after round 1 (card pulled) ends the session: freed, no token', async () => {
    const seen = await raw((ws, s) => {
      ws.send(START);
      ws.on('message', () => s.messages.length === 1 && ws.close(4001, 'card-removed'));
    });
    expect(seen.messages.map((m) => m.type)).toEqual(['StandardScenario']);
    await new Promise((r) => setTimeout(r, 10));
    expect(endpoint.stats().sessions).toBe(0);
    expect(issued).toEqual([]);
    expect(logs.some((l) => l.event === 'ehc.session-end' && l.outcome === 'client-closed')).toBe(true);
  });

  it('a client that closes while its last answer is being checked gets no token', async () => {
    await raw((ws, s) => {
      ws.send(START);
      ws.on('message', () => {
        if (s.messages.length === 1) ws.send(OK2);
        if (s.messages.length === 2) {
          ws.send(JSON.stringify({ type: 'ScenarioResponse', steps: ['9000'] }));
          ws.close();
        }
      });
    });
    await new Promise((r) => setTimeout(r, 30));
    expect(issued).toEqual([]);
  });
});

describe('session caps', () => {
  it('an institution holding its maximum of open sessions gets 503 until one ends', async () => {
    const ep = createEhcEndpointWithFlow({ ...deps, config: { ...deps.config, maxSessionsPerActor: 2, cardTimeBudgetMs: 5_000 } }, fakeFlow);
    const srv = await serveEhc(ep);
    const open = () =>
      new Promise<{ ws?: WebSocket; status?: number }>((resolve) => {
        const ws = new WebSocket(srv.url);
        ws.on('open', () => resolve({ ws }));
        ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
        ws.on('error', () => undefined);
      });
    try {
      const a = await open();
      const b = await open();
      expect(a.ws && b.ws).toBeTruthy();
      expect((await open()).status).toBe(503);
      a.ws!.close();
      await new Promise((r) => setTimeout(r, 30));
      const c = await open();
      expect(c.ws).toBeTruthy();
      b.ws!.close();
      c.ws!.close();
    } finally {
      await srv.stop();
    }
  });
});

describe('once the token is being issued the check is committed', () => {
  it('a client that leaves (or sends more) during issuance: one record, logged as undelivered, not as a failure', async () => {
    let open!: () => void;
    issueGate = { promise: new Promise<void>((r) => (open = r)), open: () => open() };
    try {
      await raw((ws, s) => {
        ws.send(START);
        ws.on('message', () => {
          if (s.messages.length === 1) ws.send(OK2);
          if (s.messages.length === 2) {
            ws.send(JSON.stringify({ type: 'ScenarioResponse', steps: ['9000'] }));
            // Wait until the service is signing, then misbehave and leave.
            const poll = setInterval(() => {
              if (issued.length === 1) {
                clearInterval(poll);
                ws.send(OK2);
                ws.close();
              }
            }, 1);
          }
        });
      });
      await new Promise((r) => setTimeout(r, 20));
      issueGate.open();
      await new Promise((r) => setTimeout(r, 20));
      expect(issued).toHaveLength(1);
      const ends = logs.filter((l) => l.event === 'ehc.session-end');
      expect(ends.map((l) => l.outcome)).toEqual(['token-undelivered']);
      expect(endpoint.stats().sessions).toBe(0);
    } finally {
      issueGate = null;
    }
  });
});

describe('shutdown', () => {
  it('ends open sessions with 79100 and refuses new upgrades', async () => {
    const ep = createEhcEndpointWithFlow(deps, fakeFlow);
    const srv = await serveEhc(ep);
    const ws = new WebSocket(srv.url);
    const got: any[] = [];
    ws.on('message', (d) => got.push(JSON.parse(d.toString())));
    await new Promise((r) => ws.on('open', r));
    ws.send(START);
    await new Promise((r) => setTimeout(r, 20));
    const closed = new Promise<number>((r) => ws.on('close', (c) => r(c)));
    await srv.stop();
    expect(await closed).toBe(1001);
    expect(got.at(-1)).toMatchObject({ type: 'Error', errorCode: '79100' });
    expect(ep.stats().sessions).toBe(0);
  });
});
