import { PoppError } from '../errors';
import { bdeText, type Lang } from '../popp-messages/bde-codes';

/**
 * Why a client-side eGK check ended without a token. `service-error` carries the
 * service's `errorCode` (79xxx) and `errorDetail` in `details`; every other code is
 * something the client saw itself.
 */
export type EhcClientErrorCode =
  | 'connect-failed'
  | 'service-error'
  | 'card-removed'
  | 'card-error'
  | 'timeout'
  | 'channel-closed'
  | 'invalid-message'
  | 'unexpected-message'
  | 'aborted';

export class EhcClientError extends PoppError<EhcClientErrorCode> {
  readonly layer = 'client';

  /** The service's BDE code when `code` is `service-error`. */
  get serviceErrorCode(): string | undefined {
    return this.details?.errorCode as string | undefined;
  }
}

export function isEhcClientError(e: unknown, code?: EhcClientErrorCode): e is EhcClientError {
  return e instanceof EhcClientError && (code === undefined || e.code === code);
}

const TEXT: Record<Exclude<EhcClientErrorCode, 'service-error'>, Record<Lang, string>> = {
  'connect-failed': { de: 'Der PoPP-Service ist nicht erreichbar oder hat die Verbindung abgelehnt.', en: 'The PoPP-Service cannot be reached or refused the connection.' },
  'card-removed': { de: 'Die eGK wurde während der Prüfung entfernt.', en: 'The eGK was removed during the check.' },
  'card-error': { de: 'Die eGK oder das Kartenlesegerät hat nicht geantwortet.', en: 'The eGK or the card reader did not answer.' },
  timeout: { de: 'Der PoPP-Service hat nicht rechtzeitig geantwortet.', en: 'The PoPP-Service did not answer in time.' },
  'channel-closed': { de: 'Der PoPP-Service hat die Verbindung ohne Ergebnis beendet.', en: 'The PoPP-Service closed the connection without a result.' },
  'invalid-message': { de: 'Der PoPP-Service hat eine ungültige Nachricht gesendet.', en: 'The PoPP-Service sent an invalid message.' },
  'unexpected-message': { de: 'Der PoPP-Service hat eine unerwartete Nachricht gesendet.', en: 'The PoPP-Service sent an unexpected message.' },
  aborted: { de: 'Die Prüfung wurde abgebrochen.', en: 'The check was cancelled.' },
};

/** A sentence for the UI (dashboard, CLI), from the error code or the service's BDE code. */
export function describeEhcError(e: EhcClientError, lang: Lang): string {
  if (e.code === 'service-error') return bdeText(e.serviceErrorCode ?? '', lang);
  return TEXT[e.code][lang];
}
