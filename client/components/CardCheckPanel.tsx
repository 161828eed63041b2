'use client';

import { useCallback, useEffect, useState } from 'react';
import { detectTransportOptions, pickDefault, type TransportKind, type TransportOption } from '../card-bridge/select';
import { PATH_LABELS } from '../card-bridge/messages';
import type { CheckFailure } from '../card-check/failure';
import { isRunning, useCardCheck, type CheckRun } from '../card-check/use-card-check';
import type { CardPresence, CardTransport } from '../../lib/card-transport/types';
import type { MessageKey } from '../../lib/i18n';
import { useI18n } from '../i18n/provider';
import { TokenCell } from './CheckinList';
import { BridgePath, SmartCardPath, UsbPath, VirtualPath, type BridgeStatus } from './CardReaderPaths';

export interface CardReaderConfig {
  /** ws://127.0.0.1:<port> of `popp bridge`; its default port when absent. */
  bridgeUrl?: string;
  /** Offer "Virtueller Leser (Test)" (development only). */
  virtualReader: boolean;
}

const AUTO_START_KEY = 'popp.card.autoStart';

export interface PathProps {
  attach: (t: CardTransport | null, initial?: CardPresence, opts?: { presenceKnown?: boolean }) => void;
  fail: (f: CheckFailure) => void;
  clear: () => void;
  /** Tells the panel which reader the path uses, for the "in use" line. */
  setReaderName: (name: string | null) => void;
  /** The bridge's state while no paired bridge serves a reader (null otherwise), for the status badge. */
  setPathStatus: (s: BridgeStatus | null) => void;
}

const BRIDGE_STATUS_TEXT: Record<BridgeStatus, MessageKey> = {
  pair: 'card.status.pair',
  reconnecting: 'card.status.reconnecting',
  down: 'card.status.bridgeDown',
  restarted: 'card.status.restarted',
};

/** "0,4" / "0.4": seconds with one decimal, as staff read them. */
function seconds(ms: number, lang: string): string {
  return (Math.max(ms, 100) / 1000).toLocaleString(lang === 'de' ? 'de-DE' : 'en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
}

function statusText(run: CheckRun, presence: CardPresence, t: (k: MessageKey, v?: Record<string, string | number>) => string, pathStatus: BridgeStatus | null = null): string {
  if (pathStatus && (run.kind === 'idle' || run.kind === 'error')) return t(BRIDGE_STATUS_TEXT[pathStatus]);
  switch (run.kind) {
    case 'connecting':
      return t('card.status.connecting');
    case 'step':
      return t('card.status.step', { step: run.step, steps: run.steps });
    case 'waiting':
      return t('card.status.waiting');
    case 'token':
      return t('card.status.token');
    case 'error':
      return t('card.status.error');
    default:
      return presence === 'present' ? t('card.status.present') : presence === 'empty' ? t('card.status.ready') : t('card.status.noReader');
  }
}

/**
 * "Karte einlesen (eGK)": the dashboard as PoPP-Client. Picks the path to the
 * reader (bridge first, see docs/readers.md), shows which one is in use and why,
 * runs the check with the one client core and shows token or error in place.
 */
export function CardCheckPanel({ bridgeUrl, virtualReader }: CardReaderConfig) {
  const { t, lang } = useI18n();
  const [options, setOptions] = useState<TransportOption[] | null>(null);
  const [kind, setKind] = useState<TransportKind | null>(null);
  const [readerName, setReaderName] = useState<string | null>(null);
  const [autoStart, setAutoStart] = useState(false);
  const [pathStatus, setPathStatus] = useState<BridgeStatus | null>(null);
  /** Counts clicks on "Erneut suchen", so the bridge path retries a lost bridge at once. */
  const [search, setSearch] = useState(0);
  const check = useCardCheck(autoStart);
  const { run, presence } = check;

  const detect = useCallback(async () => {
    const found = await detectTransportOptions({ lang, bridgeUrl, allowVirtual: virtualReader });
    setOptions(found);
    setKind((k) => k ?? pickDefault(found)?.kind ?? 'bridge');
  }, [lang, bridgeUrl, virtualReader]);

  useEffect(() => {
    void detect();
  }, [detect]);

  const redetect = useCallback(() => {
    setSearch((n) => n + 1);
    void detect();
  }, [detect]);

  useEffect(() => {
    setAutoStart(localStorage.getItem(AUTO_START_KEY) === '1');
  }, []);

  const choose = (k: TransportKind) => {
    if (k === kind) return;
    setReaderName(null);
    setPathStatus(null);
    // The last path's error (a refused reader, say) is no news on the new one.
    check.clear();
    setKind(k);
  };

  const running = isRunning(run);
  const visible = options?.filter((o) => !o.hidden) ?? [];
  const hidden = options?.filter((o) => o.hidden) ?? [];
  const pathProps: PathProps = { attach: check.attach, fail: check.fail, clear: check.clear, setReaderName, setPathStatus };
  const shownStatus = pathStatus && (run.kind === 'idle' || run.kind === 'error') ? `bridge-${pathStatus}` : run.kind === 'idle' ? presence : run.kind;
  // Where the transport knows presence, an empty reader has nothing to check.
  const noCard = presence === 'no-reader' || (presence === 'empty' && check.presenceKnown);
  const option = options?.find((o) => o.kind === kind);

  return (
    <section className="card reader-panel" aria-labelledby="card-title" data-testid="card-panel">
      <div className="row spread">
        <h2 id="card-title">{t('card.title')}</h2>
        <span className={`status reader-status reader-${shownStatus}`} role="status" data-testid="card-status" data-state={shownStatus}>
          {statusText(run, presence, t, pathStatus)}
        </span>
      </div>
      <p className="muted">{t('card.intro')}</p>

      <fieldset className="paths">
        <legend>{t('card.path')}</legend>
        {options === null ? <p className="muted">{t('card.detecting')}</p> : null}
        {visible.map((o) => (
          <label key={o.kind} className={`path-option ${kind === o.kind ? 'path-selected' : ''}`}>
            <input
              type="radio"
              name="reader-path"
              value={o.kind}
              checked={kind === o.kind}
              // The bridge stays selectable while unreachable: pairing is how one finds out.
              disabled={running || (!o.available && o.kind !== 'bridge')}
              onChange={() => choose(o.kind)}
            />
            <span>
              <strong>{PATH_LABELS[o.kind][lang]}</strong>
              {o.recommended ? <span className="badge">{t('card.recommended')}</span> : null}
              {o.available ? null : <span className="muted"> – {t('card.unavailable')}</span>}
              <small className="muted path-reason">{o.reason}</small>
            </span>
          </label>
        ))}
        {hidden.map((o) => (
          <p key={o.kind} className="muted path-hidden" data-testid={`path-hidden-${o.kind}`}>
            <small>{o.reason}</small>
          </p>
        ))}
        {options ? (
          <button type="button" className="link" onClick={redetect} disabled={running}>
            {t('card.redetect')}
          </button>
        ) : null}
      </fieldset>

      {kind ? (
        <p data-testid="card-path-in-use">
          {t('card.pathInUse', { path: PATH_LABELS[kind][lang] })}
          {readerName ? <span className="muted"> · {readerName}</span> : null}
        </p>
      ) : null}

      {kind === 'webusb-ccid' ? <UsbPath key="usb" {...pathProps} /> : null}
      {kind === 'bridge' ? <BridgePath key={`bridge-${bridgeUrl ?? ''}`} {...pathProps} url={bridgeUrl} reachable={option?.available ?? false} search={search} onSearch={redetect} onProbed={detect} /> : null}
      {kind === 'smartcard-api' ? <SmartCardPath key="sc" {...pathProps} /> : null}
      {kind === 'virtual' ? <VirtualPath key="virtual" {...pathProps} /> : null}

      <div className="row wrap">
        <button type="button" className="primary" onClick={() => void check.start()} disabled={!check.transport || running || noCard}>
          {t('card.start')}
        </button>
        {running ? (
          <button type="button" className="secondary" onClick={check.cancel}>
            {t('card.cancel')}
          </button>
        ) : null}
        <label className="inline">
          <input
            type="checkbox"
            checked={autoStart}
            onChange={(e) => {
              setAutoStart(e.target.checked);
              localStorage.setItem(AUTO_START_KEY, e.target.checked ? '1' : '0');
            }}
          />
          {t('card.autoStart')}
        </label>
      </div>

      {run.kind === 'step' ? <progress className="steps" max={run.steps} value={run.step} aria-label={statusText(run, presence, t)} /> : null}

      {run.kind === 'token' ? (
        <div className="result result-ok" data-testid="card-result">
          <p className="success" title={t('card.tokenDetail', { scenarios: run.scenarios })}>
            {t('card.tokenDone', { seconds: seconds(run.ms, lang) })}
          </p>
          <TokenCell token={run.token} />
        </div>
      ) : null}

      {run.kind === 'error' ? (
        <div className="result result-error" role="alert" data-testid="card-error" data-code={run.failure.code}>
          <p className="error">
            {run.failure.text[lang]} <small>({t('common.errorCode')}: {run.failure.code})</small>
          </p>
          <p>
            <strong>{t('card.hintLabel')}</strong> {t(run.failure.hint)}
          </p>
          {run.failure.offerBridge && kind !== 'bridge' ? (
            <button type="button" className="secondary" onClick={() => choose('bridge')}>
              {t('card.useBridge')}
            </button>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
