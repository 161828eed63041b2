import { describe, expect, it } from 'vitest';
import { de } from './de';
import { en } from './en';
import { errorText, translate } from './index';

describe('i18n', () => {
  it('has an English text for every German key and no extra keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(de).sort());
  });
  it('keeps placeholders identical in both languages', () => {
    for (const k of Object.keys(de) as (keyof typeof de)[]) {
      const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(ph(en[k]), k).toEqual(ph(de[k]));
    }
  });
  it('fills placeholders and maps unknown error codes to the generic text', () => {
    expect(translate('de', 'code.expiresIn', { time: '4:59' })).toBe('Gültig noch 4:59');
    expect(errorText('en', 'CODE_USED')).toBe('This check-in code has already been used.');
    expect(errorText('de', 'NO_SUCH_CODE')).toBe(de['error.INTERNAL']);
  });
});
