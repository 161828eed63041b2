import type { CardTransportInfo } from '../../lib/card-transport/types';
import type { ReaderErrorCode } from '../../lib/ccid/errors';

/**
 * Texts for the reader picker and for reader errors, German first. Kept here
 * (not in lib/i18n) because they belong to the card bridge; the keys are the
 * stable ReaderError codes, so lib/i18n can take them over as `error.<code>`.
 */
export type Lang = 'de' | 'en';

export const PATH_LABELS: Record<CardTransportInfo['kind'], Record<Lang, string>> = {
  bridge: { de: 'Lokale Brücke (PC/SC)', en: 'Local bridge (PC/SC)' },
  'webusb-ccid': { de: 'WebUSB (direkt am Lesegerät)', en: 'WebUSB (direct to the reader)' },
  'smartcard-api': { de: 'Web Smart Card API', en: 'Web Smart Card API' },
  virtual: { de: 'Virtueller Leser (Test)', en: 'Virtual reader (test/demo only)' },
  direct: { de: 'Direkt (Test)', en: 'Direct (test)' },
};

/** Why each path is used or not, one line each, for the picker. */
export const PATH_REASONS: Record<CardTransportInfo['kind'], Record<Lang, string>> = {
  bridge: {
    de: 'Funktioniert mit jedem PC/SC-Lesegerät; erfordert die installierte PoPP-Brücke auf diesem PC.',
    en: 'Works with every PC/SC reader; needs the PoPP bridge installed on this PC.',
  },
  'webusb-ccid': {
    de: 'Nur für Lesegeräte mit herstellerspezifischer USB-Schnittstelle; Chrome sperrt Chipkarten-Klasse (0x0B) für normale Webseiten.',
    en: 'Only for readers with a vendor-specific USB interface; Chrome blocks the smart-card class (0x0B) for ordinary web pages.',
  },
  'smartcard-api': {
    de: 'Nur in Isolated Web Apps (derzeit ChromeOS) verfügbar.',
    en: 'Available in Isolated Web Apps only (ChromeOS for now).',
  },
  virtual: {
    de: 'Software-eGK ohne Lesegerät, nur in der Entwicklungsumgebung – kein echter Check-in.',
    en: 'Software eGK without a reader, development environment only – not a real check-in.',
  },
  direct: { de: 'Nur in Tests.', en: 'Tests only.' },
};

type Texts = Record<Lang, string>;

const T: Partial<Record<ReaderErrorCode, Texts>> = {
  USB_UNAVAILABLE: {
    de: 'Dieser Browser bietet kein WebUSB. Bitte die lokale Brücke verwenden.',
    en: 'This browser has no WebUSB. Please use the local bridge.',
  },
  USB_PROTECTED_CLASS: {
    de: 'Chrome erlaubt Webseiten keinen direkten Zugriff auf Chipkartenleser (USB-Klasse 0x0B). Bitte die lokale PoPP-Brücke verwenden – sie funktioniert mit diesem Lesegerät.',
    en: 'Chrome does not let web pages access smart card readers directly (USB class 0x0B). Please use the local PoPP bridge – it works with this reader.',
  },
  USB_ACCESS_DENIED: {
    de: 'Das Lesegerät wird von einem anderen Treiber belegt (z. B. dem Chipkartendienst des Betriebssystems). Bitte die lokale Brücke verwenden.',
    en: 'Another driver holds the reader (e.g. the operating system smart card service). Please use the local bridge.',
  },
  NOT_A_CCID_READER: { de: 'Dieses Gerät ist kein Chipkartenleser.', en: 'This device is not a smart card reader.' },
  READER_UNSUPPORTED: {
    de: 'Dieses Lesegerät wird über WebUSB nicht unterstützt. Bitte die lokale Brücke verwenden.',
    en: 'This reader is not supported over WebUSB. Please use the local bridge.',
  },
  READER_GONE: { de: 'Das Lesegerät wurde getrennt. Bitte wieder anschließen.', en: 'The reader was disconnected. Please plug it in again.' },
  NO_CARD: { de: 'Keine Karte im Lesegerät. Bitte die eGK einstecken.', en: 'No card in the reader. Please insert the eGK.' },
  CARD_REMOVED: {
    de: 'Die Karte wurde während des Vorgangs gezogen. Bitte erneut einstecken und neu starten.',
    en: 'The card was removed during the check. Please insert it again and restart.',
  },
  CARD_MUTE: {
    de: 'Die Karte antwortet nicht. Bitte Karte herausnehmen, richtig herum einstecken und erneut versuchen.',
    en: 'The card does not answer. Please remove it, insert it the right way round and try again.',
  },
  TIMEOUT: { de: 'Das Lesegerät antwortet nicht rechtzeitig. Bitte erneut versuchen.', en: 'The reader did not answer in time. Please try again.' },
  TIME_EXTENSION_STORM: {
    de: 'Das Lesegerät verlangt immer mehr Zeit. Bitte Karte neu einstecken.',
    en: 'The reader keeps asking for more time. Please re-insert the card.',
  },
  WTX_STORM: { de: 'Die Karte verlangt immer mehr Zeit. Bitte Karte neu einstecken.', en: 'The card keeps asking for more time. Please re-insert the card.' },
  T1_PROTOCOL_ERROR: {
    de: 'Die Kommunikation mit der Karte ist gestört. Bitte Karte neu einstecken.',
    en: 'Communication with the card failed. Please re-insert the card.',
  },
  MESSAGE_MALFORMED: {
    de: 'Das Lesegerät hat eine ungültige Antwort geschickt. Bitte Lesegerät neu anschließen.',
    en: 'The reader sent an invalid answer. Please reconnect the reader.',
  },
  RESPONSE_TOO_LARGE: {
    de: 'Die Antwort der Karte ist größer als erlaubt. Vorgang abgebrochen.',
    en: 'The card answered with more data than allowed. Check aborted.',
  },
  EXTENDED_APDU_UNSUPPORTED: {
    de: 'Das Lesegerät unterstützt keine langen Kartenkommandos (Extended Length).',
    en: 'The reader does not support long card commands (extended length).',
  },
  PROTOCOL_UNSUPPORTED: { de: 'Diese Karte spricht ein nicht unterstütztes Protokoll.', en: 'This card uses an unsupported protocol.' },
  BRIDGE_UNREACHABLE: {
    de: 'Die lokale PoPP-Brücke ist nicht erreichbar. Läuft „popp bridge“ auf diesem PC? Falls Chrome nach dem Zugriff auf Geräte im lokalen Netzwerk fragt: bitte „Zulassen“ wählen.',
    en: 'The local PoPP bridge is not reachable. Is "popp bridge" running on this PC? If Chrome asks for access to devices on your local network, choose "Allow".',
  },
  BRIDGE_PAIRING_FAILED: {
    de: 'Der Kopplungscode stimmt nicht. Bitte den Code eingeben, den die Brücke gerade anzeigt.',
    en: 'The pairing code is wrong. Please enter the code the bridge shows now.',
  },
  BRIDGE_CLOSED: {
    de: 'Die Verbindung zur Brücke wurde unterbrochen; die Prüfung wurde abgebrochen.',
    en: 'The connection to the bridge was lost; the check was stopped.',
  },
  BRIDGE_ORIGIN_REFUSED: {
    de: 'Die Brücke nimmt keine Verbindungen von dieser Seite an (Herkunft nicht freigegeben).',
    en: 'The bridge does not accept connections from this page (origin not allowed).',
  },
  PCSC_UNAVAILABLE: {
    de: 'Der Chipkartendienst (PC/SC) läuft nicht. Bitte pcscd bzw. den Windows-Dienst „Smartcard“ starten.',
    en: 'The smart card service (PC/SC) is not running. Please start pcscd or the Windows "Smart Card" service.',
  },
  SMARTCARD_API_UNAVAILABLE: {
    de: 'Die Web Smart Card API ist hier nicht verfügbar (nur in Isolated Web Apps).',
    en: 'The Web Smart Card API is not available here (Isolated Web Apps only).',
  },
  BUSY: { de: 'Das Lesegerät wird gerade von einem anderen Vorgang benutzt.', en: 'The reader is busy with another operation.' },
};

const FALLBACK: Texts = {
  de: 'Fehler beim Lesegerät. Bitte Karte neu einstecken und erneut versuchen.',
  en: 'Reader error. Please re-insert the card and try again.',
};

export function readerErrorText(code: string | undefined, lang: Lang = 'de'): string {
  return ((code && T[code as ReaderErrorCode]) || FALLBACK)[lang];
}

/** Whether the UI should offer the local bridge as the way out of this error. */
export function offersBridge(code: string | undefined): boolean {
  return code === 'USB_PROTECTED_CLASS' || code === 'USB_ACCESS_DENIED' || code === 'READER_UNSUPPORTED' || code === 'USB_UNAVAILABLE';
}
