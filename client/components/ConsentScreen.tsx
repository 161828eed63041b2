'use client';

import { useMutation, useQuery } from '@tanstack/react-query';
import { signIn } from 'next-auth/react';
import { useState } from 'react';
import { errorCode } from '../errors';
import { useI18n } from '../i18n/provider';
import { useTRPC } from '../trpc/provider';
import { ErrorNote } from './Shell';

export function ConsentScreen({ code, loginError }: { code: string; loginError: string | null }) {
  const trpc = useTRPC();
  const { t, lang } = useI18n();
  const view = useQuery(trpc.consent.view.queryOptions({ code }, { retry: false }));
  const confirm = useMutation(trpc.consent.confirm.mutationOptions());
  const decline = useMutation(trpc.consent.decline.mutationOptions());
  const [error, setError] = useState<string | null>(loginError);
  const [outcome, setOutcome] = useState<'confirmed' | 'declined' | null>(null);
  const [redirecting, setRedirecting] = useState(false);

  // A code that ran out (or was used) while the screen was open: show its final state, not stale buttons.
  function onActionError(e: unknown) {
    setError(errorCode(e));
    void view.refetch();
    requestAnimationFrame(() => document.querySelector('p[role="alert"]')?.scrollIntoView({ block: 'center' }));
  }

  if (view.isPending) return <p>{t('common.loading')}</p>;
  if (view.error) return <ErrorNote code={errorCode(view.error)} />;
  const v = view.data;

  const practiceBox = (
    <dl className="practice-box">
      <dt>{t('consent.practice')}</dt>
      <dd data-testid="practice-name">{v.practice.name}</dd>
      <dt>{t('consent.tid')}</dt>
      <dd>{v.practice.telematikId}</dd>
    </dl>
  );

  if (outcome === 'confirmed') return <p role="status" className="success">{t('consent.done', { practice: v.practice.name })}</p>;
  if (outcome === 'declined') return <p role="status">{t('consent.declined')}</p>;
  if (v.state !== 'waiting') {
    const key = v.reason === 'expired' ? 'consent.expired' : v.state === 'success' ? 'consent.used' : v.reason === 'declined' ? 'consent.declined' : v.reason === 'withdrawn' ? 'consent.withdrawn' : 'consent.canceled';
    return (
      <>
        {practiceBox}
        <p role="alert" className="error">{t(key)}</p>
      </>
    );
  }

  async function login() {
    setRedirecting(true);
    setError(null);
    await signIn('gesundheitsid', { callbackUrl: `/c/${code}` }, { consent_code: code });
  }

  if (!v.login?.ok || !v.share) {
    const reason = v.login?.reason && v.login.reason !== 'LOGIN_REQUIRED' ? v.login.reason : null;
    return (
      <>
        {practiceBox}
        <p>{t('consent.loginIntro')}</p>
        <button type="button" className="primary big" onClick={login} disabled={redirecting} aria-busy={redirecting}>
          {redirecting ? t('consent.loginBusy') : t('consent.login')}
        </button>
        <p className="muted">{t('consent.freshLogin')}</p>
        <ErrorNote code={error ?? reason} />
      </>
    );
  }

  const s = v.share;
  const busy = confirm.isPending || decline.isPending;
  const when = new Date(s.proofTime * 1000).toLocaleString(lang === 'de' ? 'de-DE' : 'en-GB');
  return (
    <>
      {practiceBox}
      <h2>{t('consent.heading')}</h2>
      <dl className="share" data-testid="consent-share">
        <dt>{t('consent.name')}</dt>
        <dd>{s.name}</dd>
        <dt>{t('consent.kvnr')}</dt>
        <dd>{s.kvnr}</dd>
        <dt>{t('consent.insurer')}</dt>
        <dd>
          {s.insurer} ({s.ik})
        </dd>
        <dt>{t('consent.time')}</dt>
        <dd>{when}</dd>
        <dt>{t('consent.recipient')}</dt>
        <dd>
          {s.recipient}
          <br />
          <small>
            {t('consent.tid')} {s.recipientTelematikId}
          </small>
        </dd>
      </dl>
      <p className="muted">{t('consent.purpose')}</p>
      <div className="row">
        <button
          type="button"
          className="primary big"
          disabled={busy}
          aria-busy={confirm.isPending}
          onClick={() => confirm.mutate({ code }, { onSuccess: () => setOutcome('confirmed'), onError: onActionError })}
        >
          {confirm.isPending ? t('consent.busy') : t('consent.confirm')}
        </button>
        <button
          type="button"
          className="secondary big"
          disabled={busy}
          onClick={() => decline.mutate({ code }, { onSuccess: () => setOutcome('declined'), onError: onActionError })}
        >
          {t('consent.decline')}
        </button>
      </div>
      <ErrorNote code={error} />
    </>
  );
}
