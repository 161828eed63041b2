import { isReaderError } from '../../lib/ccid/errors';
import type { MessageKey } from '../../lib/i18n';
import { describeEhcError, isEhcClientError, type EhcClientErrorCode } from '../../lib/popp-client';
import { bdeText } from '../../lib/popp-messages/bde-codes';
import { offersBridge, readerErrorText } from '../card-bridge/messages';

/**
 * Why an eGK check (or opening a reader) ended without a token, reduced to what the
 * panel shows: the code staff can quote (79xxx from the service, else the reader's or
 * the client's code), the sentence in both languages (so switching the language
 * keeps the message), what to do next, and whether the bridge is the way out.
 */
export interface CheckFailure {
  code: string;
  text: { de: string; en: string };
  hint: MessageKey;
  offerBridge: boolean;
}

/** What to do after a service error: keyed by the BDE code's meaning, not its number range. */
const SERVICE_HINTS: Record<string, MessageKey> = {
  '79500': 'card.hint.reinsert',
  '79504': 'card.hint.reinsert',
  '79505': 'card.hint.reinsert',
  '79506': 'card.hint.reinsert',
  '79507': 'card.hint.reinsert',
  '79508': 'card.hint.reinsert',
  '79509': 'card.hint.reinsert',
  '79116': 'card.hint.cardRejected',
  '79117': 'card.hint.cardRejected',
  '79118': 'card.hint.cardRejected',
  '79501': 'card.hint.cardRejected',
  '79502': 'card.hint.cardRejected',
  '79503': 'card.hint.cardRejected',
  '79510': 'card.hint.cardRejected',
  '79514': 'card.hint.cardRejected',
  '79515': 'card.hint.cardRejected',
  '79100': 'card.hint.later',
  '79112': 'card.hint.later',
  '79113': 'card.hint.later',
  '79511': 'card.hint.reload',
  '79513': 'card.hint.reload',
};

const CARD_CODES = new Set(['CARD_REMOVED', 'CARD_MUTE', 'T1_PROTOCOL_ERROR', 'T1_ABORTED', 'WTX_STORM', 'TIME_EXTENSION_STORM', 'RESPONSE_TOO_LARGE', 'ATR_MALFORMED', 'PROTOCOL_UNSUPPORTED', 'CCID_ATR_ERROR']);

const CLIENT_HINTS: Record<Exclude<EhcClientErrorCode, 'service-error'>, MessageKey> = {
  'connect-failed': 'card.hint.network',
  'card-removed': 'card.hint.reinsert',
  'card-error': 'card.hint.reinsert',
  timeout: 'card.hint.later',
  'channel-closed': 'card.hint.retry',
  'invalid-message': 'card.hint.reload',
  'unexpected-message': 'card.hint.reload',
  aborted: 'card.hint.retry',
};

/** Reader codes whose next step is not "re-insert the card". */
const READER_HINTS: Record<string, MessageKey> = {
  // There is no card to take out: the step is putting one in.
  NO_CARD: 'card.hint.insert',
  BRIDGE_CLOSED: 'card.hint.bridge',
};

export function readerFailure(code: string): CheckFailure {
  const bridge = offersBridge(code);
  return {
    code,
    text: { de: readerErrorText(code, 'de'), en: readerErrorText(code, 'en') },
    hint: bridge ? 'card.hint.useBridge' : (READER_HINTS[code] ?? (CARD_CODES.has(code) ? 'card.hint.reinsert' : 'card.hint.reader')),
    offerBridge: bridge,
  };
}

export function classifyFailure(e: unknown): CheckFailure {
  if (isEhcClientError(e)) {
    if (e.code === 'service-error') {
      const code = e.serviceErrorCode ?? '79100';
      return { code, text: { de: bdeText(code, 'de'), en: bdeText(code, 'en') }, hint: SERVICE_HINTS[code] ?? 'card.hint.retry', offerBridge: false };
    }
    // The reader's own code says more than "card error" (pulled, mute, protected class …).
    if (isReaderError(e.cause)) return readerFailure(e.cause.code);
    if (e.code === 'card-removed') return readerFailure('CARD_REMOVED');
    return { code: e.code, text: { de: describeEhcError(e, 'de'), en: describeEhcError(e, 'en') }, hint: CLIENT_HINTS[e.code], offerBridge: false };
  }
  if (isReaderError(e)) return readerFailure(e.code);
  return readerFailure('INTERNAL');
}
