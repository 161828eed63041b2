import { toHex } from '../../../lib/bytes/hex';
import { isPoppError } from '../../../lib/errors';
import { bdeByCode, bdeText } from '../../../lib/popp-messages/bde-codes';
import { decodeClientMessage, encodeServerMessage } from '../../../lib/popp-messages/codec';
import { isMessageError } from '../../../lib/popp-messages/errors';
import type { StartMessage } from '../../../lib/popp-messages/schemas';
import type { EhcActor, EhcDeps } from './deps';
import { isEhcError, toWire, type EhcErrorCode } from './errors';
import { checkResponseCount } from './evaluate';
import type { EhcFlow, PlannedScenario } from './flow-types';

/** The 79xxx code an error from another layer names for itself, if it is one we know. */
function bdeOf(e: unknown): string | undefined {
  const o = e as { bdeCode?: unknown; bde?: unknown } | null;
  const code = typeof o?.bdeCode === 'string' ? o.bdeCode : typeof o?.bde === 'number' ? String(o.bde) : undefined;
  return code && bdeByCode(code) ? code : undefined;
}

/** What a session needs from its socket. */
export interface SessionIo {
  send(text: string): void;
  /** Closes after everything sent so far has been flushed. */
  close(code: number): void;
}

export const DEFAULT_TIME_SPAN_MS = 2000;

/** Most commands are the same bytes for every session (steps cache them): so is their hex. */
const HEX = new WeakMap<Uint8Array, string>();
function commandHex(command: Uint8Array): string {
  let h = HEX.get(command);
  if (h === undefined) {
    h = toHex(command).toLowerCase();
    HEX.set(command, h);
  }
  return h;
}

type Phase = 'await-start' | 'await-response' | 'busy' | 'done' | 'issuing';

/**
 * One eGK check on one WebSocket: Start → scenarios → Token or Error, then close.
 * Every path out goes through `end` or `finish`, which free the flow state (keys,
 * card data) at once; a socket closed by the client ends the session the same way
 * and no token is issued. Only one message is ever in work; anything arriving
 * meanwhile is out of order (79513).
 */
export class EhcSession {
  private phase: Phase = 'await-start';
  private clientGone = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private flow: EhcFlow | undefined;
  private scenario: PlannedScenario | undefined;
  private clientSessionId = '';
  private counter = 0;
  private lastResponse: string | undefined;
  private readonly startedAt: number;

  constructor(
    readonly id: string,
    private readonly actor: EhcActor,
    private readonly deps: EhcDeps,
    private readonly createFlow: () => EhcFlow,
    private readonly io: SessionIo,
    private readonly onEnd: (s: EhcSession) => void,
  ) {
    this.startedAt = deps.now();
    this.arm();
  }

  get rounds(): number {
    return this.counter;
  }

  /** A text frame (`null` for binary) of `bytes` bytes arrived. */
  onFrame(text: string | null, bytes: number): void {
    if (this.phase === 'done') return;
    if (bytes > this.deps.config.maxFrameBytes) return this.end('frame-too-large');
    if (text === null) return this.end('invalid-message');
    // The card has answered and the token is being signed: the outcome is settled, late frames change nothing.
    if (this.phase === 'issuing') return;
    if (this.phase === 'busy') return this.end('unexpected-message');
    let msg: ReturnType<typeof decodeClientMessage>;
    try {
      msg = decodeClientMessage(text);
    } catch (e) {
      if (!isMessageError(e)) throw e;
      return this.end(e.code === 'wrong-direction' ? 'unexpected-message' : 'invalid-message');
    }
    if (msg.type === 'Start') {
      if (this.phase !== 'await-start') return this.end('unexpected-message');
      return this.onStart(msg);
    }
    if (this.phase !== 'await-response') return this.end('unexpected-message');
    // ScenarioResponse carries no counter: an identical frame twice is a replay, not an answer.
    if (text === this.lastResponse) return this.end('replayed-message');
    this.lastResponse = text;
    void this.onResponse(msg.steps);
  }

  /** The socket closed (client left, card pulled, network gone, ws refused a frame). */
  onClosed(reason = 'client-closed'): void {
    if (this.phase === 'done') return;
    if (this.phase === 'issuing') {
      this.clientGone = true;
      return;
    }
    this.release();
    this.log(reason);
  }

  /** Server shutdown. */
  shutdown(): void {
    this.end('internal', 'shutdown', 1001);
  }

  private onStart(msg: StartMessage): void {
    this.clientSessionId = msg.clientSessionId;
    if (msg.cardConnectionType !== 'contact-standard') return this.end('unsupported-connection');
    this.run(() => {
      this.flow = this.createFlow();
      this.sendScenario(this.flow.first());
    });
  }

  private async onResponse(steps: string[]): Promise<void> {
    const receivedAt = this.deps.now();
    this.disarm();
    this.phase = 'busy';
    try {
      const responses = checkResponseCount(this.scenario!, steps);
      this.scenario = undefined;
      const outcome = await this.flow!.answer(responses, receivedAt);
      if (this.phase !== 'busy') return; // closed meanwhile: nothing more to do, no token
      if (outcome.kind === 'scenario') return this.sendScenario(outcome.scenario);
      // From here the check is committed: the card proved itself, and the record is written
      // even if the client leaves now (logged as undelivered, never as a failure).
      this.phase = 'issuing';
      const token = await this.deps.issueToken({
        proofMethod: 'ehc-practitioner-trustedchannel',
        patientProofTime: Math.floor(receivedAt / 1000),
        patientId: outcome.patientId,
        insurerId: outcome.insurerId,
        actor: { telematikId: this.actor.telematikId, professionOid: this.actor.professionOid },
        sessionId: this.id,
        holderName: outcome.holderName ?? null,
      });
      if (this.clientGone) {
        this.release();
        this.log('token-undelivered');
        return;
      }
      this.finish(token);
    } catch (e) {
      this.fail(e);
    }
  }

  private run(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.fail(e);
    }
  }

  private fail(e: unknown): void {
    if (this.phase === 'done') return;
    if (isEhcError(e)) return this.end(e.code);
    const cause = isPoppError(e) ? `${e.layer}:${e.code}` : 'exception';
    // The trust layer (TrustError.bde, a number) and others (bdeCode, a string) name their own 79xxx code.
    const bde = bdeOf(e);
    if (bde) return this.end('internal', cause, 1000, bde);
    // A card-layer error that escaped a step is the card's fault only where a step says so;
    // anything else is ours, logged by code, answered with 79100.
    this.end('internal', cause);
  }

  private sendScenario(s: PlannedScenario): void {
    const timeSpan = s.last ? 0 : (this.deps.config.timeSpanMs ?? DEFAULT_TIME_SPAN_MS);
    this.scenario = s;
    this.io.send(
      encodeServerMessage({
        type: 'StandardScenario',
        version: '1.0.0',
        clientSessionId: this.clientSessionId,
        sequenceCounter: this.counter++,
        timeSpan,
        steps: s.steps.map((st) => ({
          commandApdu: commandHex(st.command),
          expectedStatusWords: st.expected.map((sw) => sw.toString(16).padStart(4, '0')),
        })),
      }),
    );
    this.phase = 'await-response';
    this.arm();
  }

  private finish(token: string): void {
    this.io.send(encodeServerMessage({ type: 'Token', token }));
    this.io.close(1000);
    this.release();
    this.log('token');
  }

  private end(code: EhcErrorCode, cause?: string, closeCode = 1000, bdeCode?: string): void {
    if (this.phase === 'done') return;
    const lang = this.deps.config.detailLanguage ?? 'de';
    const wire = bdeCode ? { errorCode: bdeCode, errorDetail: bdeText(bdeCode, lang) } : toWire(code, lang);
    try {
      this.io.send(encodeServerMessage({ type: 'Error', ...wire }));
      this.io.close(closeCode);
    } catch {
      /* socket already gone */
    }
    this.release();
    this.log(bdeCode ? 'rejected' : code, wire.errorCode, cause);
  }

  private release(): void {
    this.phase = 'done';
    this.disarm();
    this.flow = undefined;
    this.scenario = undefined;
    this.lastResponse = undefined;
    this.onEnd(this);
  }

  private arm(): void {
    this.disarm();
    this.timer = setTimeout(() => this.end('deadline'), this.deps.config.cardTimeBudgetMs);
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private log(outcome: string, errorCode?: string, cause?: string): void {
    this.deps.log?.({
      event: 'ehc.session-end',
      sessionId: this.id,
      outcome: cause ? `${outcome} (${cause})` : outcome,
      errorCode,
      rounds: this.counter,
      ms: this.deps.now() - this.startedAt,
    });
  }
}

