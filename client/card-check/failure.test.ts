import { describe, expect, it } from 'vitest';
import { ReaderError } from '../../lib/ccid/errors';
import { de } from '../../lib/i18n/de';
import { EhcClientError } from '../../lib/popp-client';
import { classifyFailure } from './failure';

describe('classifyFailure', () => {
  it('shows the service 79xxx code with its text and a hint that fits the code', () => {
    const f = classifyFailure(new EhcClientError('service-error', 'x', { details: { errorCode: '79500' } }));
    expect(f).toMatchObject({ code: '79500', hint: 'card.hint.reinsert', offerBridge: false });
    expect(f.text.de).toBe('Die Authentisierung der eGK ist fehlgeschlagen.');
    expect(classifyFailure(new EhcClientError('service-error', 'x', { details: { errorCode: '79116' } })).hint).toBe('card.hint.cardRejected');
    expect(classifyFailure(new EhcClientError('service-error', 'x', { details: { errorCode: '79999' } })).text.de).toContain('79999');
  });

  it("names the reader's own code behind a card error (pulled card), not the generic one", () => {
    const f = classifyFailure(new EhcClientError('card-error', 'x', { cause: new ReaderError('CARD_REMOVED', 'gone') }));
    expect(f).toMatchObject({ code: 'CARD_REMOVED', hint: 'card.hint.reinsert' });
    expect(classifyFailure(new EhcClientError('card-removed', 'x')).code).toBe('CARD_REMOVED');
  });

  it('asks for a card when there is none, instead of "take it out and re-insert"', () => {
    const f = classifyFailure(new EhcClientError('card-error', 'x', { cause: new ReaderError('NO_CARD', 'empty') }));
    expect(f).toMatchObject({ code: 'NO_CARD', hint: 'card.hint.insert' });
    expect(de[f.hint]).toContain('eGK einstecken');
    expect(de[f.hint]).not.toContain('herausnehmen');
    expect(classifyFailure(new ReaderError('BRIDGE_CLOSED', 'lost')).hint).toBe('card.hint.bridge');
  });

  it('offers the bridge for a protected-class reader', () => {
    const f = classifyFailure(new ReaderError('USB_PROTECTED_CLASS', 'refused'));
    expect(f).toMatchObject({ code: 'USB_PROTECTED_CLASS', hint: 'card.hint.useBridge', offerBridge: true });
    expect(f.text.de).toContain('0x0B');
  });

  it('uses only hint keys that exist', () => {
    const samples = [
      new EhcClientError('connect-failed', 'x'),
      new EhcClientError('timeout', 'x'),
      new EhcClientError('unexpected-message', 'x'),
      new ReaderError('BRIDGE_UNREACHABLE', 'x'),
      new Error('anything'),
    ];
    for (const e of samples) expect(de[classifyFailure(e).hint]).toBeTruthy();
  });
});
