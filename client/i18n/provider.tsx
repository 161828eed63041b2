'use client';

import { createContext, useCallback, useContext, useState, type ReactNode } from 'react';
import { errorText, LANG_COOKIE, translate, type Lang, type MessageKey } from '../../lib/i18n';

type I18n = {
  lang: Lang;
  t: (key: MessageKey, vars?: Record<string, string | number>) => string;
  err: (code: string | undefined) => string;
  setLang: (l: Lang) => void;
};

const Ctx = createContext<I18n | null>(null);

export function I18nProvider({ initial, children }: { initial: Lang; children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initial);
  const setLang = useCallback((l: Lang) => {
    document.cookie = `${LANG_COOKIE}=${l}; path=/; max-age=31536000; samesite=lax`;
    document.documentElement.lang = l;
    setLangState(l);
  }, []);
  const t = useCallback((key: MessageKey, vars?: Record<string, string | number>) => translate(lang, key, vars), [lang]);
  const err = useCallback((code: string | undefined) => errorText(lang, code), [lang]);
  return <Ctx.Provider value={{ lang, t, err, setLang }}>{children}</Ctx.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
