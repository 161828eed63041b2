import { PoppError } from '../../../lib/errors';
import { BDE, type BdeName, type Lang } from '../../../lib/popp-messages/bde-codes';

/**
 * Why an eGK session ended without a token, and its one mapping to the wire:
 * each code has its BDE number (79xxx) and, where the generic BDE text would
 * mislead (a timeout is not "an unexpected message"), its own detail sentence.
 */
export type EhcErrorCode =
  | 'invalid-message'
  | 'frame-too-large'
  | 'response-count'
  | 'unexpected-message'
  | 'replayed-message'
  | 'deadline'
  | 'unsupported-connection'
  | 'product-not-accepted'
  | 'object-system-unsupported'
  | 'card-cvc-invalid'
  | 'card-ca-cvc-invalid'
  | 'sw-open-egk'
  | 'sw-read-cvc'
  | 'sw-trusted-channel'
  | 'sw-read-x509'
  | 'no-import-path'
  | 'sm-invalid'
  | 'chaut-invalid'
  | 'internal';

export class EhcError extends PoppError<EhcErrorCode> {
  readonly layer = 'ehc';
}

export function isEhcError(e: unknown, code?: EhcErrorCode): e is EhcError {
  return e instanceof EhcError && (code === undefined || e.code === code);
}

interface WireEntry {
  bde: BdeName;
  de?: string;
  en?: string;
}

export const EHC_WIRE: Record<EhcErrorCode, WireEntry> = {
  'invalid-message': { bde: 'INVALID_MESSAGE' },
  'frame-too-large': { bde: 'INVALID_MESSAGE', de: 'Die Nachricht ist zu groß.', en: 'The message is too large.' },
  'response-count': { bde: 'INVALID_MESSAGE', de: 'Die Anzahl der Kartenantworten passt nicht zum Szenario.', en: 'The number of card responses does not match the scenario.' },
  'unexpected-message': { bde: 'UNSUPPORTED_WORKFLOW' },
  'replayed-message': { bde: 'UNSUPPORTED_WORKFLOW', de: 'Die Nachricht wurde wiederholt gesendet.', en: 'The message was sent again.' },
  deadline: { bde: 'UNSUPPORTED_WORKFLOW', de: 'Die Antwort kam nicht innerhalb des Zeitbudgets.', en: 'The answer did not arrive within the time budget.' },
  'unsupported-connection': { bde: 'UNSUPPORTED_WORKFLOW', de: 'Diese Kartenanbindung wird nicht unterstützt (nur contact-standard).', en: 'This card connection type is not supported (contact-standard only).' },
  'product-not-accepted': { bde: 'INVALID_PI_OBJECT_SYSTEM' },
  'object-system-unsupported': { bde: 'INVALID_PTV_OBJECT_SYSTEM' },
  'card-cvc-invalid': { bde: 'INVALID_END_ENTITY_CVC' },
  'card-ca-cvc-invalid': { bde: 'INVALID_CA_CVC' },
  'sw-open-egk': { bde: 'UNEXPECTED_STATUS_WORD_SCE_OPEN_EGK' },
  'sw-read-cvc': { bde: 'UNEXPECTED_STATUS_WORD_SCE_READ_CVC' },
  'sw-trusted-channel': { bde: 'UNEXPECTED_STATUS_WORD_SCE_TC1' },
  'sw-read-x509': { bde: 'UNEXPECTED_STATUS_WORD_SCE_READ_X509' },
  'no-import-path': { bde: 'UNEXPECTED_STATUS_WORD_SCE_TC1', de: 'Die eGK kennt keine Wurzel, zu der der PoPP-Service eine Zertifikatskette hat.', en: 'The eGK knows no root the PoPP-Service has a certificate chain to.' },
  'sm-invalid': { bde: 'INVALID_AUTHENTICATION' },
  'chaut-invalid': { bde: 'INVALID_X509' },
  internal: { bde: 'SERVICE_INTERNAL_SERVER_ERROR' },
};

export function toWire(code: EhcErrorCode, lang: Lang): { errorCode: string; errorDetail: string } {
  const w = EHC_WIRE[code];
  return { errorCode: BDE[w.bde].code, errorDetail: w[lang] ?? BDE[w.bde][lang] };
}
