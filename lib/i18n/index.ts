import { de, type MessageKey } from './de';
import { en } from './en';

export type Lang = 'de' | 'en';
export type { MessageKey };
export const LANG_COOKIE = 'popp_lang';

const tables: Record<Lang, Record<MessageKey, string>> = { de, en };

export function translate(lang: Lang, key: MessageKey, vars?: Record<string, string | number>): string {
  let s: string = tables[lang][key] ?? de[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

/** A stable error code from the server → its text; unknown codes fall back to a generic message. */
export function errorText(lang: Lang, code: string | undefined): string {
  const key = `error.${code ?? 'INTERNAL'}` as MessageKey;
  return key in de ? translate(lang, key) : translate(lang, 'error.INTERNAL');
}
