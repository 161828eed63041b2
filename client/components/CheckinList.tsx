'use client';

import { useState } from 'react';
import type { CheckinView } from '../../server/trpc/routers/checkin';
import { useI18n } from '../i18n/provider';

function StatusBadge({ row }: { row: CheckinView }) {
  const { t } = useI18n();
  const label = row.state === 'canceled' && row.reason ? t(`reason.${row.reason}`) : t(`state.${row.state}`);
  return <span className={`status status-${row.state} ${row.reason ? `reason-${row.reason}` : ''}`}>{label}</span>;
}

export function TokenCell({ token }: { token: string }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const [copied, setCopied] = useState(false);
  return (
    <div className="token-cell">
      <button type="button" className="link" onClick={() => setOpen(!open)} aria-expanded={open}>
        {open ? t('list.hideToken') : t('list.showToken')}
      </button>
      <button
        type="button"
        className="link"
        onClick={async () => {
          await navigator.clipboard.writeText(token).catch(() => undefined);
          setCopied(true);
          setTimeout(() => setCopied(false), 1500);
        }}
      >
        {copied ? t('common.copied') : t('common.copy')}
      </button>
      {open ? <code className="token" data-testid="popp-token">{token}</code> : null}
    </div>
  );
}

export function CheckinList({ rows }: { rows: CheckinView[] }) {
  const { t, lang } = useI18n();
  if (rows.length === 0) return <p className="muted">{t('list.empty')}</p>;
  const time = (ms: number) => new Date(ms).toLocaleTimeString(lang === 'de' ? 'de-DE' : 'en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  return (
    <div className="table-wrap">
    <table className="checkins">
      <thead>
        <tr>
          <th>{t('list.time')}</th>
          <th>{t('list.flow')}</th>
          <th>{t('list.person')}</th>
          <th>{t('list.status')}</th>
          <th>{t('list.token')}</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id} data-checkin-id={r.id} data-state={r.state} data-reason={r.reason ?? ''}>
            <td>{time(r.createdAt)}</td>
            <td>
              {t(`flow.${r.flow}`)}
              {r.workplaceId ? <small className="muted"> · {r.workplaceId}</small> : null}
            </td>
            <td>{r.displayName ?? '–'}</td>
            <td>
              <StatusBadge row={r} />
            </td>
            <td>{r.token ? <TokenCell token={r.token} /> : '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
    </div>
  );
}
