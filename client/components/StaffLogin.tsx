'use client';

import { startAuthentication } from '@simplewebauthn/browser';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { errorCode } from '../errors';
import { useI18n } from '../i18n/provider';
import { useTRPC } from '../trpc/provider';
import { ErrorNote } from './Shell';

export function StaffLogin() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const options = useMutation(trpc.auth.loginOptions.mutationOptions());
  const verify = useMutation(trpc.auth.loginVerify.mutationOptions());
  const busy = options.isPending || verify.isPending;

  async function login() {
    setError(null);
    try {
      const { challengeId, options: optionsJSON } = await options.mutateAsync();
      const response = await startAuthentication({ optionsJSON: optionsJSON as never });
      await verify.mutateAsync({ challengeId, response: response as never });
      await qc.invalidateQueries();
    } catch (e) {
      setError(errorCode(e));
    }
  }

  return (
    <section className="card narrow">
      <h1>{t('login.title')}</h1>
      <p>{t('login.intro')}</p>
      <button type="button" className="primary" onClick={login} disabled={busy} aria-busy={busy}>
        {busy ? t('login.busy') : t('login.button')}
      </button>
      <ErrorNote code={error} />
      <p className="muted">{t('login.noPasskey')}</p>
    </section>
  );
}
