'use client';

import { QRCodeSVG } from 'qrcode.react';
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/provider';

export interface CreatedCode {
  checkinId: string;
  url: string;
  expiresAt: number;
}

function mmss(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function ConsentCodePanel({ code, state, reason, onWithdraw, onClose }: { code: CreatedCode; state: string | undefined; reason: string | null; onWithdraw: () => void; onClose: () => void }) {
  const { t } = useI18n();
  const [now, setNow] = useState(() => Date.now());
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(id);
  }, []);
  const left = code.expiresAt - now;
  const open = (state === undefined || state === 'waiting') && reason === null;
  const expired = left <= 0 || reason === 'expired';
  const usable = open && !expired;
  // Once the code is used up the panel says so, instead of still counting down.
  const statusText = usable
    ? `${t('code.expiresIn', { time: mmss(left) })} · ${t('code.singleUse')}`
    : state === 'success'
      ? t('code.confirmed')
      : reason === 'declined'
        ? t('code.declined')
        : reason === 'withdrawn'
          ? t('code.withdrawn')
          : t('code.expired');

  async function copy() {
    try {
      await navigator.clipboard.writeText(code.url);
    } catch {
      // Clipboard may be unavailable on plain http: select the text so staff can copy it by hand.
      const el = document.getElementById('consent-link') as HTMLInputElement | null;
      el?.select();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  }

  return (
    <section className="card code-panel" aria-labelledby="code-title">
      <h2 id="code-title">{t('code.title')}</h2>
      <p>{t('code.scan')}</p>
      <div className={`qr ${usable ? '' : 'qr-dim'}`} data-testid="consent-qr" aria-hidden={!usable}>
        <QRCodeSVG value={code.url} size={240} level="M" marginSize={2} title={t('code.title')} />
      </div>
      <div className="row">
        <input id="consent-link" aria-label={t('code.copyLink')} readOnly value={code.url} onFocus={(e) => e.currentTarget.select()} />
        <button type="button" onClick={copy} disabled={!usable}>
          {copied ? t('common.copied') : t('code.copyLink')}
        </button>
      </div>
      <p className={usable ? 'muted' : state === 'success' ? 'success' : 'error'} aria-live="polite" data-testid="code-status">
        {statusText}
      </p>
      <div className="row">
        {usable ? (
          <button type="button" className="secondary" onClick={onWithdraw}>
            {t('code.withdraw')}
          </button>
        ) : null}
        <button type="button" className="secondary" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </section>
  );
}
