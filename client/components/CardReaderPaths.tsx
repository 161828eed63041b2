'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { BridgeClient, type BridgeState } from '../card-bridge/loopback/bridge-client';
import { LOCAL_NETWORK_ACCESS_GUIDANCE, PAIRING_GUIDANCE } from '../card-bridge/loopback/guidance';
import { formatPairingCode, normalisePairingCode, type BridgeReaderInfo } from '../card-bridge/loopback/protocol';
import { LoopbackBridgeTransport } from '../card-bridge/loopback/transport';
import { SmartCardApiTransport } from '../card-bridge/smartcard-api/transport';
import { VirtualReaderTransport, VIRTUAL_READER_LABEL } from '../card-bridge/virtual/transport';
import { webSocketVirtualCard } from '../card-bridge/virtual/websocket-card';
import { grantedCcidReaders, requestCcidReader } from '../card-bridge/webusb-ccid/request';
import { WebUsbCcidTransport } from '../card-bridge/webusb-ccid/transport';
import type { UsbDeviceLike } from '../card-bridge/webusb-ccid/usb-types';
import type { WebSocketLike } from '../card-bridge/loopback/bridge-client';
import { bridgeStatusUrl, probeBridgeStatus } from '../card-bridge/select';
import { classifyFailure, readerFailure } from '../card-check/failure';
import type { MessageKey } from '../../lib/i18n';
import { useI18n } from '../i18n/provider';
import type { PathProps } from './CardCheckPanel';

/** WebUSB: the browser's chooser, then the CCID driver; a protected-class reader ends in the panel's bridge offer. */
export function UsbPath({ attach, fail, setReaderName }: PathProps) {
  const { t } = useI18n();
  const [level, setLevel] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const open = useCallback(
    async (device: UsbDeviceLike) => {
      const transport = new WebUsbCcidTransport(device);
      attach(transport);
      try {
        await transport.open();
        setReaderName(transport.info.readerName);
        setLevel(transport.classification?.exchangeLevel ?? null);
      } catch (e) {
        attach(null);
        setReaderName(null);
        setLevel(null);
        fail(classifyFailure(e));
      }
    },
    [attach, fail, setReaderName],
  );

  useEffect(() => {
    let live = true;
    // A reader granted earlier needs no chooser; Chrome keeps the permission per origin.
    grantedCcidReaders()
      .then((devices) => (live && devices[0] ? open(devices[0]) : undefined))
      .catch(() => undefined);
    return () => {
      live = false;
      attach(null);
    };
  }, [attach, open]);

  async function choose() {
    setBusy(true);
    try {
      const device = await requestCcidReader();
      if (device) await open(device);
    } catch (e) {
      fail(classifyFailure(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="path-box" data-testid="path-webusb">
      <button type="button" onClick={choose} disabled={busy}>
        {t('card.usb.choose')}
      </button>
      {level ? <small className="muted"> {level === 'tpdu' ? t('card.usb.level.tpdu') : t('card.usb.level.apdu')}</small> : null}
    </div>
  );
}

const SESSION_KEY = 'popp.bridge.session';
/** Reconnects after losing a paired bridge (0.5 + 1 + 2 + 4 s) before the panel says it is not reachable. */
const RECONNECT_ATTEMPTS = 4;
/** How often an unpaired or lost bridge is looked for, so starting it needs no click. */
const PROBE_MS = 2_000;

/** What the bridge path tells the panel's status badge while there is no paired bridge. */
export type BridgeStatus = 'pair' | 'reconnecting' | 'down' | 'restarted';

/**
 * How a bridge reader is shown: its own name, marked once when virtual. The bridge's
 * virtual reader already says "Software-eGK, nur Test/Demo" in its name; it is shown
 * in the page's language instead of a second qualifier.
 */
export function bridgeReaderLabel(r: BridgeReaderInfo, t: (k: MessageKey) => string): string {
  if (!r.virtual) return r.name;
  if (/software-egk|nur test|test\/demo|test only/i.test(r.name)) return t('card.virtualReader');
  return `${r.name} (${t('card.bridge.virtual')})`;
}

/** The local bridge: pairing with the code it prints, then its readers; the session token survives reloads of this tab. */
export function BridgePath({
  attach,
  fail,
  clear,
  setReaderName,
  setPathStatus,
  url,
  reachable,
  search,
  onSearch,
  onProbed,
}: PathProps & {
  url?: string;
  reachable: boolean;
  /** Clicks on "Erneut suchen" so far: each one retries a lost bridge at once. */
  search: number;
  onSearch: () => void;
  /** Re-reads the picker's options after the bridge appeared or went away. */
  onProbed: () => void;
}) {
  const { t, lang } = useI18n();
  const [client, setClient] = useState<BridgeClient | null>(null);
  const [state, setState] = useState<BridgeState>('idle');
  const [retrying, setRetrying] = useState(false);
  const [readers, setReaders] = useState<BridgeReaderInfo[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [pairedCode, setPairedCode] = useState<string | null>(null);
  const [pairing, setPairing] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [wasReady, setWasReady] = useState(false);
  const [restarted, setRestarted] = useState(false);
  /** The page holds a session the bridge accepted once (stored, or welcomed here): its refusal means the bridge restarted. */
  const hadSession = useRef(false);
  const reachableRef = useRef(reachable);
  reachableRef.current = reachable;
  const probedRef = useRef(onProbed);
  probedRef.current = onProbed;

  useEffect(() => {
    const stored = sessionStorage.getItem(SESSION_KEY) ?? undefined;
    hadSession.current = stored !== undefined;
    const c = new BridgeClient({
      url,
      sessionToken: stored,
      maxReconnectAttempts: RECONNECT_ATTEMPTS,
      onSessionToken: (token) => sessionStorage.setItem(SESSION_KEY, token),
    });
    setClient(c);
    setState(c.state);
    setRetrying(false);
    setReaders([]);
    setWasReady(false);
    setRestarted(false);
    const offs = [
      c.onState((s) => {
        setState(s);
        setRetrying(c.reconnecting);
        if (s === 'ready') {
          hadSession.current = true;
          setWasReady(true);
          setRestarted(false);
        }
        if (s === 'pairing-required') {
          sessionStorage.removeItem(SESSION_KEY);
          // Refused a session it knew: a restarted bridge forgot it. Say so instead of silently showing the form.
          if (hadSession.current) {
            hadSession.current = false;
            setWasReady(false);
            setRestarted(true);
            clear();
          }
        }
        // Given up reconnecting: "reconnecting …" and the last token or error are stale now; the picker learns it too.
        if (s === 'unreachable' && !c.reconnecting) {
          clear();
          probedRef.current();
        }
      }),
      c.onReaders((r) => setReaders(r)),
    ];
    if (stored) c.start().catch(() => undefined);
    return () => {
      for (const off of offs) off();
      attach(null);
      c.close();
    };
    // `generation` starts a fresh client after unpairing.
  }, [url, generation, attach, clear]);

  const ready = state === 'ready';
  const lost = wasReady && !pairing && (state === 'unreachable' || state === 'connecting');
  const status: BridgeStatus | null = ready
    ? null
    : restarted
      ? 'restarted'
      : lost
        ? retrying || state === 'connecting'
          ? 'reconnecting'
          : 'down'
        : reachable
          ? 'pair'
          : 'down';

  useEffect(() => setPathStatus(status), [status, setPathStatus]);
  useEffect(() => () => setPathStatus(null), [setPathStatus]);

  // Without a paired bridge, look for it now and then: the picker and the badge follow a bridge
  // being started or stopped, and a page with a session reconnects by itself.
  const probing = client !== null && !ready && !(wasReady && retrying);
  useEffect(() => {
    if (!client || !probing) return;
    let live = true;
    const timer = setInterval(() => {
      void probeBridgeStatus(bridgeStatusUrl(url)).then((up) => {
        if (!live) return;
        if (up !== reachableRef.current) probedRef.current();
        if (up && hadSession.current && client.state === 'unreachable' && !client.reconnecting) client.start().catch(() => undefined);
      });
    }, PROBE_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [client, probing, url]);

  // "Erneut suchen": a page with a session tries the bridge again at once.
  useEffect(() => {
    if (search > 0 && client && hadSession.current && client.state === 'unreachable' && !client.reconnecting) client.start().catch(() => undefined);
  }, [search, client]);

  useEffect(() => {
    if (!ready) return;
    setSelected((cur) => (cur && readers.some((r) => r.name === cur) ? cur : (readers.find((r) => r.presence === 'present') ?? readers[0])?.name ?? null));
  }, [ready, readers]);

  useEffect(() => {
    if (!client || !ready || !selected) {
      if (ready) attach(null);
      return;
    }
    const info = client.readers.find((r) => r.name === selected);
    attach(new LoopbackBridgeTransport(client, selected), info?.presence ?? 'no-reader');
  }, [client, ready, selected, attach]);

  const selectedInfo = ready ? readers.find((r) => r.name === selected) : undefined;
  const readerLabel = selectedInfo ? bridgeReaderLabel(selectedInfo, t) : null;
  useEffect(() => setReaderName(readerLabel), [readerLabel, setReaderName]);

  async function pair(e: React.FormEvent) {
    e.preventDefault();
    if (!client) return;
    const digits = normalisePairingCode(code);
    if (!/^\d{6}$/.test(digits)) return fail(readerFailure('BRIDGE_PAIRING_FAILED'));
    setPairing(true);
    // A code typed now is a new pairing; its refusal is a wrong code, not a restarted bridge.
    hadSession.current = false;
    client.setPairingCode(digits);
    try {
      await client.start();
      setPairedCode(digits);
      setCode('');
      clear();
      if (!reachable) onProbed();
    } catch (err) {
      fail(classifyFailure(err));
    } finally {
      setPairing(false);
    }
  }

  function unpair() {
    sessionStorage.removeItem(SESSION_KEY);
    setPairedCode(null);
    setSelected(null);
    setGeneration((g) => g + 1);
  }

  return (
    <div className="path-box" data-testid="path-bridge">
      {ready ? (
        <>
          <p className="success" data-testid="bridge-paired">
            {pairedCode ? t('card.bridge.paired', { code: formatPairingCode(pairedCode) }) : t('card.bridge.pairedAgain')}{' '}
            <button type="button" className="link" onClick={unpair}>
              {t('card.bridge.unpair')}
            </button>
          </p>
          {readers.length === 0 ? (
            <p className="muted">{t('card.bridge.noReaders')}</p>
          ) : (
            <label>
              {t('card.bridge.readerLabel')}
              <select value={selected ?? ''} onChange={(e) => setSelected(e.target.value)}>
                {readers.map((r) => (
                  <option key={r.name} value={r.name}>
                    {bridgeReaderLabel(r, t)}
                  </option>
                ))}
              </select>
            </label>
          )}
        </>
      ) : (
        <>
          {status === 'reconnecting' ? (
            <p className="banner" role="status" data-testid="bridge-reconnecting">
              {t('card.bridge.reconnecting')}
            </p>
          ) : null}
          {status === 'down' ? (
            <p className="banner banner-error" data-testid="bridge-down">
              {t('card.bridge.down')}{' '}
              <button type="button" className="link" onClick={onSearch}>
                {t('card.redetect')}
              </button>
            </p>
          ) : null}
          {status === 'restarted' ? (
            <p className="banner" data-testid="bridge-restarted">
              {t('card.bridge.restarted')}
            </p>
          ) : null}
          {status !== 'reconnecting' ? (
            <form className="row wrap" onSubmit={pair}>
              <label className="grow">
                {t('card.bridge.code')}
                <input value={code} onChange={(e) => setCode(e.target.value)} inputMode="numeric" autoComplete="off" maxLength={9} placeholder={t('card.bridge.codePlaceholder')} />
                <small className="muted">{PAIRING_GUIDANCE[lang]}</small>
              </label>
              <button type="submit" disabled={pairing || !client} aria-busy={pairing}>
                {pairing ? t('card.bridge.pairing') : t('card.bridge.pair')}
              </button>
            </form>
          ) : null}
        </>
      )}
      <details className="lna">
        <summary>{t('card.bridge.lna')}</summary>
        <ul>
          {LOCAL_NETWORK_ACCESS_GUIDANCE[lang].map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </details>
    </div>
  );
}

/** Web Smart Card API (Isolated Web Apps): the host's PC/SC readers by name. */
export function SmartCardPath({ attach, fail, setReaderName }: PathProps) {
  const { t } = useI18n();
  const [readers, setReaders] = useState<string[] | null>(null);
  const [selected, setSelected] = useState<string | null>(null);

  useEffect(() => {
    SmartCardApiTransport.listReaders().then(
      (names) => {
        setReaders(names);
        setSelected(names[0] ?? null);
      },
      (e) => fail(classifyFailure(e)),
    );
    return () => attach(null);
  }, [attach, fail]);

  useEffect(() => {
    if (!selected) return;
    // Presence is known only once a context exists (connect); until then the reader counts as ready.
    attach(new SmartCardApiTransport(selected), 'empty', { presenceKnown: false });
    setReaderName(selected);
  }, [selected, attach, setReaderName]);

  if (readers === null) return null;
  return (
    <div className="path-box" data-testid="path-smartcard">
      {readers.length === 0 ? (
        <p className="muted">{t('card.sc.noReaders')}</p>
      ) : (
        <label>
          {t('card.sc.readerLabel')}
          <select value={selected ?? ''} onChange={(e) => setSelected(e.target.value)}>
            {readers.map((r) => (
              <option key={r}>{r}</option>
            ))}
          </select>
        </label>
      )}
    </div>
  );
}

/** Development path mounted by server/app/dev-virtual-card.ts: every socket is a freshly inserted software eGK. */
export const DEV_VIRTUAL_CARD_PATH = '/dev/virtual-egk';

/** "Virtueller Leser (Test)": a software eGK served by the development server; insert and pull it by button. */
export function VirtualPath({ attach, fail, setReaderName }: PathProps) {
  const { t } = useI18n();
  const reader = useRef<VirtualReaderTransport | null>(null);
  const socket = useRef<WebSocket | null>(null);
  const [inserted, setInserted] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const r = new VirtualReaderTransport(undefined, VIRTUAL_READER_LABEL);
    reader.current = r;
    attach(r, 'empty');
    return () => {
      socket.current?.close();
      socket.current = null;
      attach(null);
    };
  }, [attach]);

  // The transport keeps its fixed (German) label; the page names it in its own language.
  useEffect(() => setReaderName(t('card.virtualReader')), [t, setReaderName]);

  async function insert() {
    setBusy(true);
    const ws = new WebSocket(`${location.origin.replace(/^http/, 'ws')}${DEV_VIRTUAL_CARD_PATH}`);
    try {
      await new Promise<void>((resolve, reject) => {
        ws.addEventListener('open', () => resolve(), { once: true });
        ws.addEventListener('close', () => reject(new Error('closed')), { once: true });
      });
    } catch {
      setBusy(false);
      return fail(readerFailure('READER_GONE'));
    }
    socket.current = ws;
    // The server ending the socket is the card leaving the reader.
    ws.addEventListener('close', () => {
      if (socket.current !== ws) return;
      socket.current = null;
      reader.current?.remove();
      setInserted(false);
    });
    reader.current?.insert(webSocketVirtualCard(ws as unknown as WebSocketLike));
    setInserted(true);
    setBusy(false);
  }

  function remove() {
    const ws = socket.current;
    socket.current = null;
    reader.current?.remove();
    ws?.close();
    setInserted(false);
  }

  return (
    <div className="path-box" data-testid="path-virtual">
      <p className="muted">
        <small>{t('card.virtual.note')}</small>
      </p>
      {inserted ? (
        <button type="button" onClick={remove}>
          {t('card.virtual.remove')}
        </button>
      ) : (
        <button type="button" onClick={insert} disabled={busy}>
          {t('card.virtual.insert')}
        </button>
      )}
    </div>
  );
}
