import type { CardTransport } from '../card-transport/types';
import { decodeServerMessage, encodeClientMessage } from '../popp-messages/codec';
import { isMessageError } from '../popp-messages/errors';
import type { CardConnectionType, ServerMessage } from '../popp-messages/schemas';
import { CLOSE_CODES, type MessageChannel } from './channel';
import { EhcClientError, type EhcClientErrorCode } from './errors';
import { runScenario } from './scenario';

/**
 * The PoPP-Client for the eGK flow, written once for the dashboard, the SDK and
 * `popp card-check`: send Start, run each StandardScenario against the card, answer
 * with a ScenarioResponse, until the service sends Token or Error. Pure TypeScript
 * over two ports (message channel, CardTransport); the caller connects both.
 */

export interface EhcClientTiming {
  /** How long to wait for the first scenario after Start. */
  firstScenarioMs: number;
  /** Added to the service's `timeSpan` promise for network and queueing. */
  marginMs: number;
  /** How long to wait for Token/Error after the last scenario (`timeSpan` 0): certificate checks and signing. */
  resultMs: number;
}

export const DEFAULT_CLIENT_TIMING: EhcClientTiming = { firstScenarioMs: 10_000, marginMs: 2_000, resultMs: 15_000 };

export type EhcProgress =
  | { phase: 'start'; clientSessionId: string }
  /** Step `step` (1-based) of `steps` of scenario `scenario` (1-based) is going to the card. */
  | { phase: 'step'; scenario: number; step: number; steps: number }
  /** The answers to scenario `scenario` are on their way; `last` when the service announced no further scenario. */
  | { phase: 'sent'; scenario: number; last: boolean }
  | { phase: 'done' };

export interface EhcCheckOptions {
  channel: MessageChannel;
  card: CardTransport;
  cardConnectionType?: Extract<CardConnectionType, 'contact-standard' | 'contactless-standard'>;
  /** Defaults to a random UUID (the yaml's recommendation). */
  clientSessionId?: string;
  onProgress?: (p: EhcProgress) => void;
  signal?: AbortSignal;
  timing?: Partial<EhcClientTiming>;
}

export interface EhcCheckResult {
  token: string;
  clientSessionId: string;
  /** Scenario round trips the service needed. */
  scenarios: number;
}

type Inbox = { messages: ServerMessage[]; failure?: EhcClientError; wake?: () => void };

export async function runEhcCheck(opts: EhcCheckOptions): Promise<EhcCheckResult> {
  const timing = { ...DEFAULT_CLIENT_TIMING, ...opts.timing };
  const clientSessionId = opts.clientSessionId ?? crypto.randomUUID();
  const { channel, card } = opts;
  const inbox: Inbox = { messages: [] };
  let finished = false;
  let closedByPeer = false;
  let closedBySelf = false;
  const closeChannel = (code: number, reason?: string) => {
    if (closedByPeer || closedBySelf) return;
    closedBySelf = true;
    try {
      channel.close(code, reason);
    } catch {
      /* already closing */
    }
  };

  const fail = (code: EhcClientErrorCode, message: string, details?: Record<string, unknown>) => {
    if (finished || inbox.failure) return;
    inbox.failure = new EhcClientError(code, message, { details });
    inbox.wake?.();
  };
  const unsubscribe = [
    channel.onMessage((text) => {
      if (finished) return;
      if (text === null) return fail('invalid-message', 'binary frame from the service');
      try {
        inbox.messages.push(decodeServerMessage(text));
        inbox.wake?.();
      } catch (e) {
        if (!isMessageError(e)) throw e;
        fail('invalid-message', 'service message does not match the schema', { reason: e.code });
      }
    }),
    channel.onClose(({ code }) => {
      closedByPeer = true;
      fail('channel-closed', 'service closed the connection', { closeCode: code });
    }),
    card.onPresence((p) => {
      if (p !== 'present') fail('card-removed', 'card removed');
    }),
  ];
  const onAbort = () => fail('aborted', 'aborted by the caller');
  opts.signal?.addEventListener('abort', onAbort);
  if (opts.signal?.aborted) onAbort();

  /** Next message in order; a failure only once the queue is drained (an Error precedes the close that follows it). */
  const next = (timeoutMs: number): Promise<ServerMessage> =>
    new Promise((resolve, reject) => {
      const take = () => {
        const m = inbox.messages.shift();
        if (m) return resolve(m), true;
        if (inbox.failure) return reject(inbox.failure), true;
        return false;
      };
      if (take()) return;
      const timer = setTimeout(() => {
        inbox.wake = undefined;
        fail('timeout', 'service silent past its promised time', { waitedMs: timeoutMs });
        take();
      }, timeoutMs);
      inbox.wake = () => {
        clearTimeout(timer);
        inbox.wake = undefined;
        take();
      };
    });

  const closeCodeFor = (e: EhcClientError): number =>
    ({ 'card-removed': CLOSE_CODES.cardRemoved, 'card-error': CLOSE_CODES.cardError, timeout: CLOSE_CODES.timeout, aborted: CLOSE_CODES.aborted })[
      e.code as 'card-removed'
    ] ?? CLOSE_CODES.protocolError;

  try {
    if (inbox.failure) throw inbox.failure;
    opts.onProgress?.({ phase: 'start', clientSessionId });
    channel.send(encodeClientMessage({ type: 'Start', version: '1.0.0', cardConnectionType: opts.cardConnectionType ?? 'contact-standard', clientSessionId }));
    let expectedCounter = 0;
    let lastAnnounced = false;
    let wait = timing.firstScenarioMs;
    for (;;) {
      const msg = await next(wait);
      if (msg.type === 'Token') {
        opts.onProgress?.({ phase: 'done' });
        return { token: msg.token, clientSessionId, scenarios: expectedCounter };
      }
      if (msg.type === 'Error') {
        throw new EhcClientError('service-error', `service error ${msg.errorCode}`, {
          details: { errorCode: msg.errorCode, errorDetail: msg.errorDetail },
        });
      }
      if (msg.type === 'ConnectorScenario') throw new EhcClientError('unexpected-message', 'ConnectorScenario sent to a standard client');
      // The counter is the replay guard: exactly 0, 1, 2 …, for our session, and nothing after the announced last one.
      if (msg.sequenceCounter !== expectedCounter || msg.clientSessionId !== clientSessionId || lastAnnounced) {
        throw new EhcClientError('unexpected-message', 'scenario out of sequence', {
          details: { expected: expectedCounter, got: msg.sequenceCounter, afterLast: lastAnnounced },
        });
      }
      const scenario = expectedCounter + 1;
      const run = await runScenario(msg.steps, card, {
        onStep: (i) => opts.onProgress?.({ phase: 'step', scenario, step: i + 1, steps: msg.steps.length }),
        interrupted: () => inbox.messages.length > 0 || inbox.failure !== undefined,
      });
      if (run.interrupted) continue; // the queued message or failure decides how it ends
      lastAnnounced = msg.timeSpan === 0;
      channel.send(encodeClientMessage({ type: 'ScenarioResponse', steps: run.responses }));
      opts.onProgress?.({ phase: 'sent', scenario, last: lastAnnounced });
      expectedCounter++;
      wait = lastAnnounced ? timing.resultMs : msg.timeSpan + timing.marginMs;
    }
  } catch (e) {
    const err = e instanceof EhcClientError ? e : new EhcClientError('card-error', 'client failure', { cause: e });
    // The service closes after Token/Error itself; for our own reasons we close, which ends the session there.
    if (err.code !== 'service-error') closeChannel(closeCodeFor(err), err.code);
    throw err;
  } finally {
    finished = true;
    for (const u of unsubscribe) u();
    opts.signal?.removeEventListener('abort', onAbort);
    closeChannel(CLOSE_CODES.done);
  }
}
