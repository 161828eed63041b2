import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../lib/bytes';
import { parseChAut } from '../card/chaut';
import { nodeCardCrypto } from '../card/crypto-node';
import { type CvcDate, cvcDateFromJs } from '../card/cvc/date';
import { verifyChain } from '../card/cvc/verify';
import { derToPlainSignature } from '../card/ecdsa-der';
import { runContactFlow } from '../card/testing/run-flow';
import { isValidKvnr, kvnrCheckDigit, testKvnr } from './kvnr';
import { type CardState, createTestPki, issueCard, issueServiceIdentity } from './pki';

const pki = createTestPki();
const service = issueServiceIdentity(pki);
const today: CvcDate = cvcDateFromJs(pki.now);
const anchors = [{ chr: pki.cvcRoot.cvc.chr, point: pki.cvcRoot.cvc.publicKey.point, flags: pki.cvcRoot.cvc.chat.flags }];
const pool = [pki.serviceSubCa.cvc, pki.cvcRoot.cvc];

function flow(state: CardState) {
  const card = issueCard(pki, { state });
  return { card, run: () => runContactFlow(card.open(), { crypto: nodeCardCrypto, serviceCvc: service.cvc, servicePrivateKey: service.privateKey, pool, anchors, today }) };
}

/** X.509 signature check with the card crypto port (brainpool is beyond WebCrypto). */
function x509SignedBy(der: Uint8Array, issuerDer: Uint8Array): boolean {
  const cert = pkijs.Certificate.fromBER(der.slice().buffer as ArrayBuffer);
  const issuer = pkijs.Certificate.fromBER(issuerDer.slice().buffer as ArrayBuffer);
  const point = new Uint8Array(issuer.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
  const sig = derToPlainSignature(new Uint8Array(cert.signatureValue.valueBlock.valueHexView), 32);
  return nodeCardCrypto.ecdsaVerify('brainpoolP256r1', point, new Uint8Array(cert.tbsView), sig);
}

describe('KVNR check digit', () => {
  it('accepts gematik test card X110540756 and generates valid test KVNRs', () => {
    expect(kvnrCheckDigit('X', '11054075')).toBe(6);
    expect(isValidKvnr('X110540756')).toBe(true);
    expect(isValidKvnr('X110540757')).toBe(false);
    for (let i = 0; i < 50; i++) expect(isValidKvnr(testKvnr(i * 7919))).toBe(true);
  });
});

describe('test PKI', () => {
  it('CVC chains verify: root self-signed, sub-CAs, service EE with null flag list', () => {
    expect(verifyChain(nodeCardCrypto, service.chain, anchors, { date: today })).toBe(anchors[0]);
    expect(service.cvc.role).toBe('end-entity');
    expect(toHex(service.cvc.chat.flags)).toBe('00000000000000');
    expect(pki.cardSubCa.cvc.role).toBe('sub-ca');
  });

  it('X.509: eGK CA under the root, CH.AUT under the eGK CA, KVNR/IK as subject OUs', () => {
    const card = issueCard(pki, { kvnr: 'X110540756', ik: '109500969' });
    expect(x509SignedBy(pki.x509Root.der, pki.x509Root.der)).toBe(true);
    expect(x509SignedBy(pki.egkCa.der, pki.x509Root.der)).toBe(true);
    expect(x509SignedBy(card.chAut, pki.egkCa.der)).toBe(true);
    expect(x509SignedBy(card.chAut, pki.x509Root.der)).toBe(false);
    const c = parseChAut(card.chAut);
    expect([c.kvnr, c.ik, c.issuerCommonName]).toEqual(['X110540756', '109500969', pki.egkCa.name]);
    expect(c.subject.filter((a) => a.type === '2.5.4.11').map((a) => a.value)).toEqual(['109500969', 'X110540756']);
  });

  it('a valid card completes the contact flow: KVNR/IK read under SM', () => {
    const { card, run } = flow('valid');
    const r = run();
    expect(r.chAut.kvnr).toBe(card.kvnr);
    expect(r.chAut.ik).toBe(card.ik);
    expect(toHex(r.chAutDer)).toBe(toHex(card.chAut));
  });

  it('many cards: each its own keys and KVNR', () => {
    const cards = Array.from({ length: 5 }, () => issueCard(pki));
    expect(new Set(cards.map((c) => c.kvnr)).size).toBe(5);
    expect(new Set(cards.map((c) => toHex(c.cvc.publicKey.point))).size).toBe(5);
  });

  it.each([
    ['expired', 'CVC_EXPIRED'],
    ['not-yet-valid', 'CVC_NOT_YET_VALID'],
    ['foreign-root', 'CVC_ISSUER_UNKNOWN'],
    ['wrong-chat', 'CVC_CHAT_INVALID'],
    ['tampered-cvc', 'CVC_SIGNATURE_INVALID'],
  ] as const)('a %s card fails the service-side check with %s', (state, code) => {
    expect(flow(state).run).toThrow(expect.objectContaining({ code }));
  });

  it('a tampered CH.AUT still reads (the card does not care) but its signature fails and its KVNR is not the card’s', () => {
    const { card, run } = flow('tampered-ch-aut');
    const r = run();
    expect(r.chAut.kvnr).not.toBe(card.kvnr);
    expect(x509SignedBy(r.chAutDer, pki.egkCa.der)).toBe(false);
  });

  it('a foreign-root card cannot import the service chain itself (MSE SET DST: key unknown)', () => {
    const card = issueCard(pki, { state: 'foreign-root' }).open();
    const r = card.transmit(Uint8Array.of(0x00, 0x22, 0x81, 0xb6, 0x0a, 0x83, 0x08, ...pki.cvcRoot.cvc.chr));
    expect(toHex(r)).toBe('6A88');
  });
});
