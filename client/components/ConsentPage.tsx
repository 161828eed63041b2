'use client';

import { useI18n } from '../i18n/provider';
import { ConsentScreen } from './ConsentScreen';
import { Shell } from './Shell';

export function ConsentPage({ code, loginError }: { code: string; loginError: string | null }) {
  const { t } = useI18n();
  return (
    <Shell>
      <section className="card phone">
        <h1>{t('consent.title')}</h1>
        <ConsentScreen code={code} loginError={loginError && /^[A-Z_]{3,40}$/.test(loginError) ? loginError : null} />
      </section>
    </Shell>
  );
}
