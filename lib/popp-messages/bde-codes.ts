/**
 * BDE error codes of the PoPP-Service ("Betriebsdatenerfassung", gemSpec_PoPP_Service,
 * as listed in gematik's sample `popp-commons/.../enums/BdeErrorCode.java`, R2.6.0).
 * The number goes into `Error.errorCode` as a string, as the sample sends it; the
 * detail texts are ours, German first because practices read them.
 */
export type Lang = 'de' | 'en';

export interface BdeEntry {
  code: string;
  /** gematik's reference name (`BdeErrorCode.reference`). */
  reference: string;
  de: string;
  en: string;
}

export const BDE = {
  MISSING_OR_INVALID_HEADER: { code: '79030', reference: 'MISSING_OR_INVALID_HEADER', de: 'Ein erforderlicher Header fehlt oder ist ungültig.', en: 'A required header is missing or invalid.' },
  UNSUPPORTED_MEDIATYPE: { code: '79031', reference: 'UNSUPPORTED_MEDIATYPE', de: 'Der angefragte Medientyp wird nicht unterstützt.', en: 'The requested media type is not supported.' },
  UNSUPPORTED_ENCODING: { code: '79032', reference: 'UNSUPPORTED_ENCODING', de: 'Die angefragte Kodierung wird nicht unterstützt.', en: 'The requested encoding is not supported.' },
  INVALID_HTTP_OPERATION: { code: '79040', reference: 'INVALID_HTTP_OPERATION', de: 'Ungültige HTTP-Operation.', en: 'Invalid HTTP operation.' },
  INVALID_ENDPOINT: { code: '79041', reference: 'INVALID_ENDPOINT', de: 'Ungültiger Endpunkt.', en: 'Invalid endpoint.' },
  SERVICE_INTERNAL_SERVER_ERROR: { code: '79100', reference: 'SERVICE_INTERNAL_SERVER_ERROR', de: 'Interner Fehler des PoPP-Service.', en: 'Unexpected internal server error.' },
  OCSP_NOTREACHABLE: { code: '79112', reference: 'OCSP_NOTREACHABLE', de: 'Der Zertifikatsstatusdienst (OCSP) ist nicht erreichbar.', en: 'Certificate validation services cannot be reached.' },
  OCSP_TIMEOUT: { code: '79113', reference: 'OCSP_TIMEOUT', de: 'Der Zertifikatsstatusdienst (OCSP) hat nicht rechtzeitig geantwortet.', en: 'Certificate validation services timed out.' },
  INVALID_ACCESSTOKEN: { code: '79114', reference: 'INVALID_ACCESSTOKEN', de: 'Die Signatur des Access-Tokens ist ungültig.', en: 'Signature verification of the presented access token failed.' },
  EXPIRED_ACCESSTOKEN: { code: '79115', reference: 'EXPIRED_ACCESSTOKEN', de: 'Das Access-Token ist abgelaufen.', en: 'The access token has expired.' },
  INVALID_END_ENTITY_CVC: { code: '79116', reference: 'InvalidEndEntityCvc', de: 'Das CV-Zertifikat der eGK ist ungültig.', en: 'The eGK end-entity CV certificate is invalid.' },
  INVALID_X509: { code: '79117', reference: 'InvalidX509', de: 'Das Authentisierungszertifikat (C.CH.AUT) der eGK ist ungültig.', en: 'The eGK C.CH.AUT certificate is invalid.' },
  INVALID_CERTIFICATE_PAIR_CONTACTLESS: { code: '79118', reference: 'InvalidCertificatePairContactless', de: 'Kontaktlos: C.CH.AUT der eGK passt nicht zum CV-Zertifikat.', en: 'Contactless: the eGK C.CH.AUT does not match the CV certificate.' },
  MISSING_HEADER_CLIENTDATA: { code: '79205', reference: 'MISSING_HEADER_CLIENTDATA', de: 'Header ZETA-Client-Data fehlt.', en: 'Header ZETA-Client-Data is missing.' },
  MISSING_HEADER_USERINFO: { code: '79206', reference: 'MISSING_HEADER_USERINFO', de: 'Header ZETA-User-Info fehlt.', en: 'Header ZETA-User-Info is missing.' },
  ERROR_HEADER_CLIENTDATA: { code: '79400', reference: 'ERROR_HEADER_CLIENTDATA', de: 'Client-Data-Daten können nicht verarbeitet werden.', en: 'Client-Data cannot be processed.' },
  ERROR_HEADER_USERINFO: { code: '79401', reference: 'ERROR_HEADER_USERINFO', de: 'User-Info-Daten können nicht verarbeitet werden.', en: 'User-Info cannot be processed.' },
  ZETA_DPOP_VALIDATION_ERROR: { code: '79403', reference: 'ZETA_DPOP_VALIDATION_ERROR', de: 'Die Signatur des DPoP-Nachweises ist ungültig.', en: 'Signature verification of the DPoP JWT failed.' },
  ZETA_INVALID_ACCESSTOKEN: { code: '79404', reference: 'ZETA_INVALID_ACCESSTOKEN', de: 'Die Signatur des Access-Tokens ist ungültig.', en: 'Signature verification of the presented access token failed.' },
  ZETA_EXPIRED_ACCESSTOKEN: { code: '79405', reference: 'ZETA_EXPIRED_ACCESSTOKEN', de: 'Das Access-Token ist abgelaufen.', en: 'The access token has expired.' },
  INVALID_AUTHENTICATION: { code: '79500', reference: 'InvalidAuthentication', de: 'Die Authentisierung der eGK ist fehlgeschlagen.', en: 'Authentication of the eGK failed.' },
  INVALID_CERTIFICATE_PAIR: { code: '79501', reference: 'InvalidCertificatePairT1', de: 'Die eGK ist in der eGK-Hash-Datenbank gesperrt.', en: 'The eGK is blocked in the hash database.' },
  INVALID_PI_OBJECT_SYSTEM: { code: '79502', reference: 'InvalidPiObjectSystem', de: 'Dieses eGK-Produkt wird nicht akzeptiert.', en: 'This eGK product is not accepted.' },
  INVALID_PTV_OBJECT_SYSTEM: { code: '79503', reference: 'InvalidPtvObjectSystem', de: 'Die Produkttypversion (Objektsystem) der eGK wird nicht unterstützt.', en: 'The eGK product type version (object system) is not supported.' },
  UNEXPECTED_STATUS_WORD_SCE_AUTH_G2: { code: '79504', reference: 'UnexpectedStatusWordSceAuthG2', de: 'Unerwartetes Statuswort der eGK (Authentisierung G2, kontaktlos).', en: 'Unexpected status word in scenario SceAuthG2.' },
  UNEXPECTED_STATUS_WORD_SCE_AUTH_GXY: { code: '79505', reference: 'UnexpectedStatusWordSceAuthGxy', de: 'Unerwartetes Statuswort der eGK (Authentisierung Gx.y).', en: 'Unexpected status word in scenario SceAuthGx.y.' },
  UNEXPECTED_STATUS_WORD_SCE_OPEN_EGK: { code: '79506', reference: 'UnexpectedStatusWordSceOpenEgk', de: 'Unerwartetes Statuswort der eGK beim Öffnen der Karte.', en: 'Unexpected status word in scenario SceOpenEgk.' },
  UNEXPECTED_STATUS_WORD_SCE_READ_CVC: { code: '79507', reference: 'UnexpectedStatusWordSceReadCvc', de: 'Unerwartetes Statuswort der eGK beim Lesen der CV-Zertifikate.', en: 'Unexpected status word in scenario SceReadCvc.' },
  UNEXPECTED_STATUS_WORD_SCE_READ_X509: { code: '79508', reference: 'UnexpectedStatusWordSceReadX509', de: 'Unerwartetes Statuswort der eGK beim Lesen des X.509-Zertifikats.', en: 'Unexpected status word in scenario SceReadX.509.' },
  UNEXPECTED_STATUS_WORD_SCE_TC1: { code: '79509', reference: 'UnexpectedStatusWordSceTC1', de: 'Unerwartetes Statuswort der eGK beim Aufbau des sicheren Kanals.', en: 'Unexpected status word in scenario SceTC1.' },
  UNKNOWN_CERTIFICATES: { code: '79510', reference: 'UnknownCertificates', de: 'Die Zertifikate dieser eGK sind nicht in der eGK-Hash-Datenbank (Warnung).', en: 'Data for eGK G2.1 not in the hash database (warning).' },
  INVALID_MESSAGE: { code: '79511', reference: 'INVALID_MESSAGE', de: 'Die Nachricht entspricht nicht der Schnittstelle I_PoPP_Token_Generation.', en: 'The message does not conform to I_PoPP_Token_Generation.yaml.' },
  UNSUPPORTED_WORKFLOW: { code: '79513', reference: 'UNSUPPORTED_WORKFLOW', de: 'Der PoPP-Service hat eine unerwartete Nachricht erhalten.', en: 'The PoPP-Service received an unexpected message.' },
  INVALID_CA_CVC: { code: '79514', reference: 'InvalidCaCvc', de: 'Das CA-CV-Zertifikat der eGK ist ungültig.', en: 'The eGK sub-CA CV certificate is invalid.' },
  BLOCK_ENTRIES: { code: '79515', reference: 'BlockEntries', de: 'Einträge in der eGK-Hash-Datenbank wurden gesperrt.', en: 'Entries in the eGK hash database have been blocked.' },
} as const satisfies Record<string, BdeEntry>;

export type BdeName = keyof typeof BDE;
export type BdeCode = (typeof BDE)[BdeName]['code'];

const BY_CODE = new Map<string, BdeName>(Object.entries(BDE).map(([name, e]) => [e.code, name as BdeName]));

/** The entry for a wire code such as `"79511"`, or undefined for codes we do not know. */
export function bdeByCode(code: string): (BdeEntry & { name: BdeName }) | undefined {
  const name = BY_CODE.get(code);
  return name ? { name, ...BDE[name] } : undefined;
}

/** Text for a wire code in the UI language; unknown codes get a generic sentence with the code. */
export function bdeText(code: string, lang: Lang): string {
  const e = bdeByCode(code);
  if (e) return e[lang];
  return lang === 'de' ? `Der PoPP-Service meldet den Fehler ${code}.` : `The PoPP-Service reported error ${code}.`;
}
