'use client';

import type { ReactNode } from 'react';
import { useI18n } from '../i18n/provider';

export function Shell({ children, right }: { children: ReactNode; right?: ReactNode }) {
  const { t, lang, setLang } = useI18n();
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">
          {t('app.name')} <span className="badge">{t('app.test')}</span>
        </span>
        <span className="topbar-right">
          {right}
          <button type="button" className="link" onClick={() => setLang(lang === 'de' ? 'en' : 'de')} lang={lang === 'de' ? 'en' : 'de'}>
            {t('lang.switch')}
          </button>
        </span>
      </header>
      <main className="content">{children}</main>
    </div>
  );
}

export function ErrorNote({ code }: { code: string | null | undefined }) {
  const { err, t } = useI18n();
  if (!code) return null;
  return (
    <p className="error" role="alert">
      {err(code)} <small>({t('common.errorCode')}: {code})</small>
    </p>
  );
}
