'use client';

import { useI18n } from '../i18n/provider';
import { Shell } from './Shell';

export function NotFoundView() {
  const { t } = useI18n();
  return (
    <Shell>
      <section className="card narrow">
        <h1>{t('notFound.title')}</h1>
        <p>{t('notFound.text')}</p>
        <a className="button primary" href="/">
          {t('notFound.home')}
        </a>
      </section>
    </Shell>
  );
}
