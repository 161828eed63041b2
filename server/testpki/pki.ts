import { CardError } from '../../lib/apdu/errors';
import { ascii, concat } from '../../lib/bytes/bytes';
import { fromHex } from '../../lib/bytes/hex';
import type { CardCrypto, EcKeyPair } from '../../lib/card-crypto/port';
import { nodeCardCrypto } from '../card/crypto-node';
import { type Cvc } from '../card/cvc/cvc';
import { type CvcDate, cvcDateFromJs, encodeCvcDate } from '../card/cvc/date';
import { encodeCvcBody, assembleCvc, issueCvc } from '../card/cvc/encode';
import { parseCvc } from '../card/cvc/cvc';
import { OID } from '../card/oid';
import { SoftwareEgk, type SoftwareEgkOptions } from '../egk/software-egk';
import { writeCardImageXml } from './card-image-xml';
import { testKvnr } from './kvnr';
import { type X509Key, issueX509 } from './x509';

/** Test PKI: own CVC root, card and service sub-CAs, an X.509 eGK root and CA. */
export interface TestPki {
  crypto: CardCrypto;
  now: Date;
  name: string;
  cvcRoot: { cvc: Cvc; key: EcKeyPair };
  cardSubCa: { cvc: Cvc; key: EcKeyPair };
  serviceSubCa: { cvc: Cvc; key: EcKeyPair };
  x509Root: { der: Uint8Array; key: X509Key; name: string };
  egkCa: { der: Uint8Array; key: X509Key; name: string };
  /** A second, untrusted CVC root for "foreign-root" cards. */
  foreignRoot: { cvc: Cvc; key: EcKeyPair; subCa: { cvc: Cvc; key: EcKeyPair } };
  ocspUrl: string;
  serial: number;
}

export interface ServiceIdentity {
  cvc: Cvc;
  privateKey: Uint8Array;
  /** Top-down chain from the root (incl.) to the service CVC. */
  chain: Cvc[];
}

export type CardState = 'valid' | 'expired' | 'not-yet-valid' | 'foreign-root' | 'wrong-chat' | 'tampered-cvc' | 'tampered-ch-aut';

export interface TestCard {
  state: CardState;
  kvnr: string;
  ik: string;
  iccsn: Uint8Array;
  cvc: Cvc;
  chAut: Uint8Array;
  xml: string;
  /** A fresh software eGK from the card's XML image. */
  open(opts?: SoftwareEgkOptions): SoftwareEgk;
}

const DAY = 86_400_000;
const ROOT_FLAGS = fromHex('FFFFFFFFFFFFFF');
const SUB_CA_FLAGS = fromHex('80000000000003');
const EE_FLAGS = fromHex('00000000000000');
const ATR = fromHex('3BD396FF81B1FE451F078081052D');
const VERSION2_G21 = fromHex('EF2BC003020000C103040502C21045474B5F47322E312020202020040502C403010000C503020000C703010000');

function shift(d: Date, days: number): CvcDate {
  return cvcDateFromJs(new Date(d.getTime() + days * DAY));
}

/** A CA reference: 5 letters ‖ service indicator, discretionary digit, year — "DEGXX 8-7-02-22" style. */
function caRef(prefix: string, a: number, b: number): Uint8Array {
  if (!/^[A-Z]{5}$/.test(prefix)) throw new CardError('PKI_INVALID_REQUEST', 'CA prefix must be 5 capital letters');
  return concat(ascii(prefix), Uint8Array.of(a, b, 0x26));
}

function selfSigned(crypto: CardCrypto, ref: Uint8Array, key: EcKeyPair, from: CvcDate, to: CvcDate): Cvc {
  return issueCvc(
    crypto,
    { car: ref, chr: ref, publicKey: { usageOid: OID.ECDSA_WITH_SHA256, point: key.publicKey }, chat: { oid: OID.CVC_FLAGLIST_TI, flags: ROOT_FLAGS }, effectiveDate: from, expirationDate: to },
    { curve: 'brainpoolP256r1', privateKey: key.privateKey },
  );
}

function subCa(crypto: CardCrypto, issuer: { cvc: Cvc; key: EcKeyPair }, ref: Uint8Array, key: EcKeyPair, from: CvcDate, to: CvcDate): Cvc {
  return issueCvc(
    crypto,
    { car: issuer.cvc.chr, chr: ref, publicKey: { usageOid: OID.ECDSA_WITH_SHA256, point: key.publicKey }, chat: { oid: OID.CVC_FLAGLIST_TI, flags: SUB_CA_FLAGS }, effectiveDate: from, expirationDate: to },
    { curve: 'brainpoolP256r1', privateKey: issuer.key.privateKey },
  );
}

export function createTestPki(opts: { crypto?: CardCrypto; now?: Date; prefix?: string; ocspUrl?: string } = {}): TestPki {
  const crypto = opts.crypto ?? nodeCardCrypto;
  const now = opts.now ?? new Date();
  const prefix = opts.prefix ?? 'TSTPP';
  const kp = () => crypto.generateKeyPair('brainpoolP256r1');
  const rootKey = kp();
  const rootCvc = selfSigned(crypto, caRef(prefix, 0x87, 0x02), rootKey, shift(now, -365), shift(now, 8 * 365));
  const root = { cvc: rootCvc, key: rootKey };
  const cardSubKey = kp();
  const serviceSubKey = kp();
  const foreignKey = kp();
  const foreignCvc = selfSigned(crypto, caRef('FRGNX', 0x87, 0x02), foreignKey, shift(now, -365), shift(now, 8 * 365));
  const foreignSubKey = kp();
  const x509RootKey = { curve: 'brainpoolP256r1' as const, ...kp() };
  const egkCaKey = { curve: 'brainpoolP256r1' as const, ...kp() };
  const rootName = `${prefix}.RCA TEST-ONLY`;
  const caName = `${prefix}.EGK-CA TEST-ONLY`;
  const caSubject = (cn: string) => [
    { type: 'C' as const, value: 'DE' },
    { type: 'O' as const, value: 'popp test PKI NOT-VALID' },
    { type: 'CN' as const, value: cn },
  ];
  const x509RootDer = issueX509(crypto, {
    subject: caSubject(rootName),
    subjectKey: x509RootKey,
    issuer: caSubject(rootName),
    issuerKey: x509RootKey,
    notBefore: new Date(now.getTime() - 365 * DAY),
    notAfter: new Date(now.getTime() + 10 * 365 * DAY),
    serial: Uint8Array.of(1),
    ca: true,
  });
  const egkCaDer = issueX509(crypto, {
    subject: caSubject(caName),
    subjectKey: egkCaKey,
    issuer: caSubject(rootName),
    issuerKey: x509RootKey,
    notBefore: new Date(now.getTime() - 365 * DAY),
    notAfter: new Date(now.getTime() + 8 * 365 * DAY),
    serial: Uint8Array.of(2),
    ca: true,
  });
  return {
    crypto,
    now,
    name: prefix,
    cvcRoot: root,
    cardSubCa: { cvc: subCa(crypto, root, caRef(prefix, 0x11, 0x02), cardSubKey, shift(now, -365), shift(now, 7 * 365)), key: cardSubKey },
    serviceSubCa: { cvc: subCa(crypto, root, caRef(prefix, 0x12, 0x02), serviceSubKey, shift(now, -365), shift(now, 7 * 365)), key: serviceSubKey },
    x509Root: { der: x509RootDer, key: x509RootKey, name: rootName },
    egkCa: { der: egkCaDer, key: egkCaKey, name: caName },
    foreignRoot: {
      cvc: foreignCvc,
      key: foreignKey,
      subCa: { cvc: subCa(crypto, { cvc: foreignCvc, key: foreignKey }, caRef('FRGNX', 0x11, 0x02), foreignSubKey, shift(now, -365), shift(now, 7 * 365)), key: foreignSubKey },
    },
    ocspUrl: opts.ocspUrl ?? 'http://localhost:8080/ocsp',
    serial: 1,
  };
}

/** A PoPP service end-entity CVC with a null flag list (like gematik's flag0 test CVC). */
export function issueServiceIdentity(pki: TestPki, opts: { id?: Uint8Array } = {}): ServiceIdentity {
  const key = pki.crypto.generateKeyPair('brainpoolP256r1');
  const id = opts.id ?? fromHex('80276001011699909999');
  if (id.length !== 10) throw new CardError('PKI_INVALID_REQUEST', 'service id must be 10 bytes');
  const cvc = issueCvc(
    pki.crypto,
    {
      car: pki.serviceSubCa.cvc.chr,
      chr: concat(Uint8Array.of(0x00, 0x0a), id),
      publicKey: { usageOid: OID.CVC_AUTH_KEY, point: key.publicKey },
      chat: { oid: OID.CVC_FLAGLIST_TI, flags: EE_FLAGS },
      effectiveDate: shift(pki.now, -30),
      expirationDate: shift(pki.now, 5 * 365),
    },
    { curve: 'brainpoolP256r1', privateKey: pki.serviceSubCa.key.privateKey },
  );
  return { cvc, privateKey: key.privateKey, chain: [pki.cvcRoot.cvc, pki.serviceSubCa.cvc, cvc] };
}

function bcdIccsn(serial: number): Uint8Array {
  const digits = `8027699999${String(serial % 1e10).padStart(10, '0')}`;
  return fromHex(digits);
}

/** Issues a software card in the requested state; KVNR/IK default to fresh test values. */
export function issueCard(pki: TestPki, opts: { state?: CardState; kvnr?: string; ik?: string; insurer?: string; givenName?: string; surname?: string } = {}): TestCard {
  const state = opts.state ?? 'valid';
  const n = pki.serial++;
  const kvnr = opts.kvnr ?? testKvnr(n);
  const ik = opts.ik ?? '109999999';
  if (!/^[A-Z][0-9]{9}$/.test(kvnr) || !/^[0-9]{9}$/.test(ik)) throw new CardError('PKI_INVALID_REQUEST', 'KVNR or IK malformed');
  const crypto = pki.crypto;
  const iccsn = bcdIccsn(n);
  const cvcKey = crypto.generateKeyPair('brainpoolP256r1');
  const chAutKey = crypto.generateKeyPair('brainpoolP256r1');
  const [from, to] =
    state === 'expired' ? [shift(pki.now, -6 * 365), shift(pki.now, -30)] : state === 'not-yet-valid' ? [shift(pki.now, 30), shift(pki.now, 5 * 365)] : [shift(pki.now, -30), shift(pki.now, 5 * 365)];
  const issuer = state === 'foreign-root' ? pki.foreignRoot.subCa : pki.cardSubCa;
  const root = state === 'foreign-root' ? { cvc: pki.foreignRoot.cvc, key: pki.foreignRoot.key } : pki.cvcRoot;
  const flags = state === 'wrong-chat' ? fromHex('00000000000004') : EE_FLAGS; // a right the sub-CA does not hold
  const fields = {
    car: issuer.cvc.chr,
    chr: concat(Uint8Array.of(0x00, 0x09), iccsn),
    publicKey: { usageOid: OID.CVC_AUTH_KEY, point: cvcKey.publicKey },
    chat: { oid: OID.CVC_FLAGLIST_TI, flags },
    effectiveDate: from,
    expirationDate: to,
  };
  let cvcBytes = issueCvc(crypto, fields, { curve: 'brainpoolP256r1', privateKey: issuer.key.privateKey }).raw;
  if (state === 'tampered-cvc') {
    // Same structure, one signature byte off: parses, does not verify.
    const body = encodeCvcBody(fields);
    const sig = crypto.ecdsaSign('brainpoolP256r1', issuer.key.privateKey, body);
    sig[10] ^= 0x01;
    cvcBytes = assembleCvc(body, sig);
  }
  const insurer = opts.insurer ?? 'Test GKV-SV NOT-VALID';
  const toDate = (d: CvcDate) => new Date(Date.UTC(d.year, d.month - 1, d.day));
  let chAut = issueX509(crypto, {
    subject: [
      { type: 'C', value: 'DE' },
      { type: 'O', value: insurer },
      { type: 'OU', value: ik },
      { type: 'OU', value: kvnr },
      { type: 'SN', value: opts.surname ?? 'Testperson' },
      { type: 'GN', value: opts.givenName ?? `Karte ${n}` },
      { type: 'CN', value: `${opts.givenName ?? `Karte ${n}`} ${opts.surname ?? 'Testperson'}TEST-ONLY` },
    ],
    subjectKey: { curve: 'brainpoolP256r1', publicKey: chAutKey.publicKey },
    issuer: [
      { type: 'C', value: 'DE' },
      { type: 'O', value: 'popp test PKI NOT-VALID' },
      { type: 'CN', value: pki.egkCa.name },
    ],
    issuerKey: pki.egkCa.key,
    notBefore: toDate(from),
    notAfter: toDate(to),
    serial: crypto.randomBytes(8),
    ca: false,
    policies: ['1.2.276.0.76.4.163', '1.2.276.0.76.4.70'],
    ocspUrl: pki.ocspUrl,
    admission: { professionItem: 'Versicherte/-r', professionOid: '1.2.276.0.76.4.49' },
  });
  if (state === 'tampered-ch-aut') {
    // Another KVNR spliced into the signed certificate: same length, signature now wrong.
    const other = testKvnr(n + 50_000_000);
    const text = Buffer.from(chAut).toString('latin1').replace(kvnr, other);
    chAut = new Uint8Array(Buffer.from(text, 'latin1'));
  }
  const xml = writeCardImageXml({
    name: `popp test eGK ${state} ${kvnr}`,
    atr: ATR,
    pointInTime: encodeCvcDate(from),
    iccsn,
    version2: VERSION2_G21,
    subCaCvc: issuer.cvc.raw,
    cardCvc: cvcBytes,
    chAut,
    cvcKey,
    chAutKey,
    rootKey: { keyRef: root.cvc.chr, publicKey: root.cvc.publicKey.point },
  });
  return { state, kvnr, ik, iccsn, cvc: parseCvc(cvcBytes), chAut, xml, open: (o) => SoftwareEgk.fromImageXml(xml, { crypto, ...o }) };
}
