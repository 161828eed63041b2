'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import type { CardPresence, CardTransport } from '../../lib/card-transport/types';
import { EhcClientError, runEhcCheck, webSocketChannel, type WebSocketLike } from '../../lib/popp-client';
import { classifyFailure, type CheckFailure } from './failure';

/** gematik's eGK endpoint on our own origin; the browser sends the staff cookie with the handshake. */
export const EHC_WS_PATH = '/popp/practitioner/api/v1/token-generation-ehc';

export type CheckRun =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'step'; scenario: number; step: number; steps: number }
  | { kind: 'waiting'; scenario: number }
  /** `ms`: from "Prüfung starten" to the token; `scenarios`: round trips with the service (detail only). */
  | { kind: 'token'; token: string; scenarios: number; ms: number }
  | { kind: 'error'; failure: CheckFailure };

export const isRunning = (r: CheckRun) => r.kind === 'connecting' || r.kind === 'step' || r.kind === 'waiting';

/**
 * One reader slot and the eGK check on it. Path components hand over the transport
 * they opened (`attach`); from then on this hook owns it: presence, the check,
 * closing it when another takes its place. A new card clears the last result, so
 * the next patient starts clean without a page reload.
 */
export function useCardCheck(autoStart: boolean) {
  const [transport, setTransport] = useState<CardTransport | null>(null);
  const [presence, setPresence] = useState<CardPresence>('no-reader');
  /** False while the transport cannot tell an empty reader from one with a card (Web Smart Card API before the first connect). */
  const [presenceKnown, setPresenceKnown] = useState(true);
  const [run, setRun] = useState<CheckRun>({ kind: 'idle' });
  const transportRef = useRef<CardTransport | null>(null);
  const unsubscribe = useRef<(() => void) | undefined>(undefined);
  const running = useRef(false);
  const abortRef = useRef<AbortController | null>(null);
  const autoRef = useRef(autoStart);
  autoRef.current = autoStart;

  const start = useCallback(async () => {
    const t = transportRef.current;
    if (!t || running.current) return;
    running.current = true;
    const abort = new AbortController();
    abortRef.current = abort;
    setRun({ kind: 'connecting' });
    const started = performance.now();
    let ws: WebSocket | undefined;
    const closeHandshake = () => ws?.close(4005, 'aborted');
    abort.signal.addEventListener('abort', closeHandshake);
    const mine = () => transportRef.current === t;
    try {
      await t.connect();
      if (abort.signal.aborted) throw new EhcClientError('aborted', 'aborted by the user');
      ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}${EHC_WS_PATH}`);
      const channel = await webSocketChannel(ws as unknown as WebSocketLike);
      const result = await runEhcCheck({
        channel,
        card: t,
        signal: abort.signal,
        onProgress: (p) => {
          if (!mine()) return;
          if (p.phase === 'step') setRun({ kind: 'step', scenario: p.scenario, step: p.step, steps: p.steps });
          else if (p.phase === 'sent') setRun({ kind: 'waiting', scenario: p.scenario });
        },
      });
      if (mine()) setRun({ kind: 'token', token: result.token, scenarios: result.scenarios, ms: performance.now() - started });
    } catch (e) {
      // A cancel during the handshake surfaces as a failed connect; it was the user's choice.
      const cause = abort.signal.aborted ? new EhcClientError('aborted', 'aborted by the user') : e;
      if (mine()) setRun({ kind: 'error', failure: classifyFailure(cause) });
    } finally {
      abort.signal.removeEventListener('abort', closeHandshake);
      running.current = false;
      abortRef.current = null;
    }
  }, []);

  const attach = useCallback(
    (t: CardTransport | null, initial: CardPresence = 'no-reader', opts: { presenceKnown?: boolean } = {}) => {
      if (transportRef.current === t) return;
      abortRef.current?.abort();
      unsubscribe.current?.();
      unsubscribe.current = undefined;
      const old = transportRef.current;
      transportRef.current = t;
      setTransport(t);
      setPresence(t ? initial : 'no-reader');
      setPresenceKnown(t ? opts.presenceKnown !== false : true);
      setRun({ kind: 'idle' });
      if (old) void old.close().catch(() => undefined);
      if (!t) return;
      unsubscribe.current = t.onPresence((p) => {
        if (transportRef.current !== t) return;
        setPresence(p);
        setPresenceKnown(true);
        // The reader (or the bridge) went away: the last patient's token is no news any more.
        if (p === 'no-reader' && !running.current) setRun((r) => (r.kind === 'token' ? { kind: 'idle' } : r));
        if (p === 'present' && !running.current) {
          setRun({ kind: 'idle' });
          if (autoRef.current) void start();
        }
      });
    },
    [start],
  );

  const cancel = useCallback(() => abortRef.current?.abort(), []);

  /** Shows a failure that happened before any check (opening a reader, pairing). */
  const fail = useCallback((failure: CheckFailure) => setRun({ kind: 'error', failure }), []);
  const clear = useCallback(() => setRun((r) => (isRunning(r) ? r : { kind: 'idle' })), []);

  useEffect(
    () => () => {
      abortRef.current?.abort();
      unsubscribe.current?.();
      void transportRef.current?.close().catch(() => undefined);
      transportRef.current = null;
    },
    [],
  );

  return { transport, presence, presenceKnown, run, start, cancel, attach, fail, clear };
}
