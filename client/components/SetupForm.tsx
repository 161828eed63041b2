'use client';

import { startRegistration } from '@simplewebauthn/browser';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { errorCode } from '../errors';
import { useI18n } from '../i18n/provider';
import { useTRPC } from '../trpc/provider';
import { ErrorNote } from './Shell';

export function SetupForm({ token }: { token: string }) {
  const trpc = useTRPC();
  const { t } = useI18n();
  const info = useQuery(trpc.auth.setupInfo.queryOptions({ token }, { retry: false }));
  const options = useMutation(trpc.auth.registerOptions.mutationOptions());
  const verify = useMutation(trpc.auth.registerVerify.mutationOptions());
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const busy = options.isPending || verify.isPending;

  if (info.isPending) return <p>{t('common.loading')}</p>;
  if (info.error)
    return (
      <section className="card narrow">
        <h1>{t('setup.title')}</h1>
        <ErrorNote code={errorCode(info.error)} />
        <a className="button" href="/">
          {t('notFound.home')}
        </a>
      </section>
    );
  if (done)
    return (
      <section className="card narrow">
        <h1>{t('setup.title')}</h1>
        <p role="status">{t('setup.done')}</p>
        <a className="button primary" href="/">
          {t('setup.toDashboard')}
        </a>
      </section>
    );

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    try {
      const { challengeId, options: optionsJSON } = await options.mutateAsync({ token, displayName: name });
      const response = await startRegistration({ optionsJSON: optionsJSON as never });
      await verify.mutateAsync({ token, displayName: name, challengeId, response: response as never });
      setDone(true);
    } catch (err) {
      setError(errorCode(err));
    }
  }

  return (
    <section className="card narrow">
      <h1>{t('setup.title')}</h1>
      <p className="setup-practice" data-testid="setup-practice">
        {t('setup.practice', { practice: info.data.practiceName, tid: info.data.telematikId })}
      </p>
      <p>{t('setup.intro')}</p>
      <form className="stack" onSubmit={submit}>
        <label>
          {t('setup.name')}
          <input value={name} onChange={(e) => setName(e.target.value)} required minLength={2} maxLength={80} autoComplete="name" />
        </label>
        <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
          {busy ? t('setup.busy') : t('setup.button')}
        </button>
      </form>
      <ErrorNote code={error} />
    </section>
  );
}
