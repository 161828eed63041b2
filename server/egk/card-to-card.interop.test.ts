import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseResponse } from '../../lib/apdu/response';
import { toHex } from '../../lib/bytes';
import { parseChAut } from '../card/chaut';
import { nodeCardCrypto } from '../card/crypto-node';
import { certificatesToImport } from '../card/cvc/chain';
import { type Cvc, describeKeyRef, parseCvc } from '../card/cvc/cvc';
import { verifyChain } from '../card/cvc/verify';
import { readCardImageXml, testServiceIdentity } from '../card/testing/interop-fixtures';
import {
  type ScenarioStep,
  buildGa2Step,
  buildOpenEgkSteps,
  buildReadCvcSteps,
  buildSecureReadChAutSteps,
  buildTrustedChannelSteps,
  establishTrustedChannel,
  parseGa1Response,
  parseListPublicKey,
} from '../card/trusted-channel';
import { interopAvailable, interopPath } from '../testing/interop';
import { findById } from './image';
import { SoftwareEgk } from './software-egk';

const available = interopAvailable();

/** What the practice client does with a scenario: send each step, stop at an unexpected status. */
function relay(card: SoftwareEgk, steps: ScenarioStep[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const s of steps) {
    const r = card.transmit(s.command);
    out.push(r);
    if (!s.expectedStatusWords.includes(parseResponse(r).sw)) break;
  }
  return out;
}

describe.skipIf(!available)('card-to-card run: service code + gematik test service CVC ↔ software eGK from the card image', () => {
  it('completes GA 1/2 and reads CH.AUT under secure messaging: KVNR X110540756, IK 109500969', () => {
    const xml = readCardImageXml();
    const card = SoftwareEgk.fromImageXml(xml);
    expect(toHex(card.reset())).toBe('3B909681B1FE451F0391');
    const service = testServiceIdentity();
    const pool: Cvc[] = [
      service.subCa,
      service.root,
      ...readdirSync(interopPath('cvc/atos-root-ca')).map((f) => parseCvc(new Uint8Array(readFileSync(interopPath('cvc/atos-root-ca', f))))),
    ];

    // Seq 0: open the eGK, check the object-system version.
    const open = relay(card, buildOpenEgkSteps()).map(parseResponse);
    expect(open.map((r) => r.sw)).toEqual([0x9000, 0x9000]);
    expect(toHex(open[1].data).slice(0, 20)).toBe('EF2BC003020000C10304');

    // Seq 1: the card's CVCs and the keys it knows; the service checks the card chain.
    const [subCaR, eeR, lpkR] = relay(card, buildReadCvcSteps()).map(parseResponse);
    const cardSubCa = parseCvc(subCaR.data);
    const cardEe = parseCvc(eeR.data);
    verifyChain(nodeCardCrypto, [cardSubCa, cardEe], [{ chr: service.root.chr, point: service.root.publicKey.point, flags: service.root.chat.flags }]);
    const known = parseListPublicKey(lpkR.data).map((e) => e.keyRef);
    expect(known.map(describeKeyRef)).toContain('DEGXX870222');

    // Seq 2: import what the card lacks, GA step 1.
    const imports = certificatesToImport(service.ee, pool, known)!;
    expect(imports.map((c) => describeKeyRef(c.chr))).toEqual(['DEGXX120223', '000A80276001011699902101']);
    const tc = relay(card, buildTrustedChannelSteps({ imports, serviceChr: service.ee.chr })).map(parseResponse);
    expect(tc.map((r) => r.sw)).toEqual([0x9000, 0x9000, 0x9000, 0x9000, 0x9000, 0x9000]);
    const cardEphemeralPublic = parseGa1Response(nodeCardCrypto, tc[5].data);

    // Seq 3: GA step 2, then SELECT DF.ESIGN + READ CH.AUT under SM.
    const serviceEphemeral = nodeCardCrypto.generateKeyPair('brainpoolP256r1');
    const { sm } = establishTrustedChannel(nodeCardCrypto, {
      serviceStaticPrivate: service.privateKey,
      serviceEphemeral,
      cardStaticPublic: cardEe.publicKey.point,
      cardEphemeralPublic,
    });
    const steps = [buildGa2Step(serviceEphemeral.publicKey), ...buildSecureReadChAutSteps(sm)];
    expect(toHex(steps[1].command).slice(0, 8)).toBe('0CA4040C');
    expect(toHex(steps[2].command).slice(0, 8)).toBe('0CB08400');
    const responses = relay(card, steps);
    expect(parseResponse(responses[0]).sw).toBe(0x9000);
    const [sel, read] = sm.unwrapResponses(responses.slice(1));
    expect(sel.sw).toBe(0x9000);
    expect(read.sw).toBe(0x9000);
    expect(read.authenticated).toBe(true);
    const chAutFile = findById(card.image, 'EF.C.CH.AUT.E256');
    expect(chAutFile?.kind === 'ef' && toHex(chAutFile.body)).toBe(toHex(read.data));
    const chAut = parseChAut(read.data);
    expect(chAut.kvnr).toBe('X110540756');
    expect(chAut.ik).toBe('109500969');
    expect(chAut.issuerCommonName).toBe('GEM.EGK-CA51 TEST-ONLY');
    expect(chAut.publicKey.curve).toBe('brainpoolP256r1');
  });

  it('the card image chain verifies: card CVC → DEGXX110223 → PuK.RCA.CS.E256 (DEGXX870222), and the CVC key is PrK.eGK.AUT_CVC.E256', () => {
    const card = SoftwareEgk.fromImageXml(readCardImageXml());
    const img = card.image;
    const ee = findById(img, 'EF.C.eGK.AUT_CVC.E256');
    const sub = findById(img, 'EF.C.CA_eGK.CS.E256');
    const rca = findById(img, 'PuK.RCA.CS.E256');
    const prk = findById(img, 'PrK.eGK.AUT_CVC.E256');
    if (ee?.kind !== 'ef' || sub?.kind !== 'ef' || rca?.kind !== 'puk-elc' || prk?.kind !== 'prk-elc') throw new Error('image layout');
    const eeCvc = parseCvc(ee.body);
    const subCvc = parseCvc(sub.body);
    expect(describeKeyRef(subCvc.chr)).toBe('DEGXX110223');
    expect(toHex(eeCvc.chr)).toBe('000980276883110000152715');
    expect(verifyChain(nodeCardCrypto, [subCvc, eeCvc], [{ chr: rca.keyRef, point: rca.point }]).chr).toBe(rca.keyRef);
    expect(toHex(eeCvc.publicKey.point)).toBe(toHex(prk.publicKey));
    expect(toHex(nodeCardCrypto.publicKeyFromPrivate('brainpoolP256r1', prk.privateKey))).toBe(toHex(prk.publicKey));
    // The RSA C.CH.AUT is not what PoPP reads: its key is refused with a typed error.
    const rsa = findById(img, 'EF.C.CH.AUT.R2048');
    expect(() => parseChAut(rsa?.kind === 'ef' ? rsa.body : new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'CURVE_UNSUPPORTED' }));
    const gdo = findById(img, 'EF.GDO');
    expect(gdo?.kind === 'ef' && toHex(gdo.body)).toBe('5A0A' + toHex(eeCvc.chr.slice(2)));
  });
});
