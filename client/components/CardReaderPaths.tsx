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
import { classifyFailure, readerFailure } from '../card-check/failure';
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

/** The local bridge: pairing with the code it prints, then its readers; the session token survives reloads of this tab. */
export function BridgePath({ attach, fail, clear, setReaderName, url, reachable, onReachable }: PathProps & { url?: string; reachable: boolean; onReachable: () => void }) {
  const { t, lang } = useI18n();
  const [client, setClient] = useState<BridgeClient | null>(null);
  const [state, setState] = useState<BridgeState>('idle');
  const [readers, setReaders] = useState<BridgeReaderInfo[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [pairedCode, setPairedCode] = useState<string | null>(null);
  const [pairing, setPairing] = useState(false);
  const [generation, setGeneration] = useState(0);
  const [wasReady, setWasReady] = useState(false);

  useEffect(() => {
    const stored = sessionStorage.getItem(SESSION_KEY) ?? undefined;
    const c = new BridgeClient({ url, sessionToken: stored, onSessionToken: (token) => sessionStorage.setItem(SESSION_KEY, token) });
    setClient(c);
    setState(c.state);
    setReaders([]);
    setWasReady(false);
    const offs = [
      c.onState((s) => {
        setState(s);
        if (s === 'ready') setWasReady(true);
        if (s === 'pairing-required') sessionStorage.removeItem(SESSION_KEY);
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
  }, [url, generation, attach]);

  const ready = state === 'ready';
  useEffect(() => {
    if (!ready) return;
    setSelected((cur) => (cur && readers.some((r) => r.name === cur) ? cur : (readers.find((r) => r.presence === 'present') ?? readers[0])?.name ?? null));
  }, [ready, readers]);

  useEffect(() => {
    if (!client || !ready || !selected) {
      if (ready) attach(null);
      setReaderName(null);
      return;
    }
    const info = client.readers.find((r) => r.name === selected);
    attach(new LoopbackBridgeTransport(client, selected), info?.presence ?? 'no-reader');
    setReaderName(selected);
  }, [client, ready, selected, attach, setReaderName]);

  async function pair(e: React.FormEvent) {
    e.preventDefault();
    if (!client) return;
    const digits = normalisePairingCode(code);
    if (!/^\d{6}$/.test(digits)) return fail(readerFailure('BRIDGE_PAIRING_FAILED'));
    setPairing(true);
    client.setPairingCode(digits);
    try {
      await client.start();
      setPairedCode(digits);
      setCode('');
      clear();
      if (!reachable) onReachable();
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
                    {r.name}
                    {r.virtual ? ` (${t('card.bridge.virtual')})` : ''}
                  </option>
                ))}
              </select>
            </label>
          )}
        </>
      ) : wasReady && (state === 'unreachable' || state === 'connecting') ? (
        <p className="banner">{t('card.bridge.reconnecting')}</p>
      ) : (
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
    attach(new SmartCardApiTransport(selected), 'empty');
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
    setReaderName(VIRTUAL_READER_LABEL);
    return () => {
      socket.current?.close();
      socket.current = null;
      attach(null);
    };
  }, [attach, setReaderName]);

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
