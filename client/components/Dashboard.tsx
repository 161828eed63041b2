'use client';

import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useSubscription } from '@trpc/tanstack-react-query';
import { useState } from 'react';
import { errorCode } from '../errors';
import { useI18n } from '../i18n/provider';
import { useTRPC } from '../trpc/provider';
import { CardCheckPanel, type CardReaderConfig } from './CardCheckPanel';
import { CheckinList } from './CheckinList';
import { ConsentCodePanel, type CreatedCode } from './ConsentCodePanel';
import { ErrorNote, Shell } from './Shell';
import { StaffLogin } from './StaffLogin';

export function Dashboard({ readers = { virtualReader: false } }: { readers?: CardReaderConfig }) {
  const trpc = useTRPC();
  const me = useQuery(trpc.auth.me.queryOptions());
  const { t } = useI18n();
  const qc = useQueryClient();
  const logout = useMutation(trpc.auth.logout.mutationOptions({ onSuccess: () => qc.invalidateQueries() }));

  if (me.isPending) return <Shell>{t('common.loading')}</Shell>;
  if (me.error) return <Shell><ErrorNote code={errorCode(me.error)} /></Shell>;
  if (!me.data) return <Shell><StaffLogin /></Shell>;
  const staff = me.data;
  return (
    <Shell
      right={
        <>
          <span className="muted">{staff.displayName}</span>
          <button type="button" className="link" onClick={() => logout.mutate()}>
            {t('logout.button')}
          </button>
        </>
      }
    >
      <p className="muted">{t('dash.practice', { practice: staff.practiceName, tid: staff.telematikId })}</p>
      <PracticeBoard isAdmin={staff.role === 'admin'} readers={readers} />
    </Shell>
  );
}

function PracticeBoard({ isAdmin, readers }: { isAdmin: boolean; readers: CardReaderConfig }) {
  const trpc = useTRPC();
  const { t } = useI18n();
  const [workplace, setWorkplace] = useState('');
  const [code, setCode] = useState<CreatedCode | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [invite, setInvite] = useState<string | null>(null);
  const live = useSubscription(trpc.checkin.live.subscriptionOptions(undefined, { onError: () => undefined }));
  const create = useMutation(trpc.checkin.createConsentCode.mutationOptions());
  const withdraw = useMutation(trpc.checkin.withdraw.mutationOptions());
  const inviteM = useMutation(trpc.auth.invite.mutationOptions());
  const rows = live.data?.data ?? [];
  const current = code ? rows.find((r) => r.id === code.checkinId) : undefined;

  async function start(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const r = await create.mutateAsync({ workplaceId: workplace.trim() || undefined });
      setCode({ checkinId: r.checkinId, url: r.url, expiresAt: r.expiresAt });
    } catch (err) {
      setError(errorCode(err));
    }
  }

  const liveLabel = live.status === 'pending' ? t('dash.live.connected') : live.status === 'error' ? t('dash.live.lost') : t('dash.live.connecting');
  const lost = live.status === 'error' || (live.status === 'connecting' && live.data !== undefined);
  return (
    <div className="board">
      <section className="card">
        <form className="row wrap" onSubmit={start}>
          <label className="grow">
            {t('dash.workplace')}
            <input value={workplace} onChange={(e) => setWorkplace(e.target.value)} maxLength={64} pattern="[A-Za-z0-9._\-]*" placeholder={t('dash.workplacePlaceholder')} />
            <small className="muted">{t('dash.workplaceHint')}</small>
          </label>
          <button type="submit" className="primary" disabled={create.isPending} aria-busy={create.isPending}>
            {create.isPending ? t('dash.creating') : t('dash.start')}
          </button>
        </form>
        <ErrorNote code={error} />
      </section>
      <CardCheckPanel {...readers} />
      {code ? (
        <ConsentCodePanel
          code={code}
          state={current?.state}
          reason={current?.reason ?? null}
          onWithdraw={() => withdraw.mutate({ checkinId: code.checkinId }, { onError: (e) => setError(errorCode(e)) })}
          onClose={() => setCode(null)}
        />
      ) : null}
      <section className="card">
        <div className="row spread">
          <h1>{t('dash.title')}</h1>
          <span className={`live live-${live.status}`} role="status">
            {liveLabel}
          </span>
        </div>
        {lost ? (
          <p className="banner" role="alert">
            {t('dash.live.lostBanner')}
          </p>
        ) : null}
        <CheckinList rows={rows} />
      </section>
      {isAdmin ? (
        <section className="card">
          <button type="button" className="secondary" onClick={async () => setInvite((await inviteM.mutateAsync()).url)}>
            {t('dash.invite')}
          </button>
          {invite ? (
            <p>
              {t('dash.inviteLink')} <code>{invite}</code>
            </p>
          ) : null}
        </section>
      ) : null}
    </div>
  );
}
