import { createPrivateKey } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { exportEcPrivateKeyPem } from '../../card/crypto-node';
import type { TestPki } from '../../testpki/pki';
import { OcspResponder } from '../../trust/ocsp/responder';
import { TrustCert } from '../../trust/x509/certificate';

/**
 * The test PKI's own OCSP responder, live in development so that generated cards are checked
 * online like real ones (only gematik's test card, whose responder is out of reach, runs under
 * the offline policy). It signs as the test eGK CA and answers "good" for the cards written to
 * the test PKI directory, "unknown" for anything else, as a real CA does for serials it never issued.
 */
export function testPkiOcspResponder(src: { dir: string } | { pki: Pick<TestPki, 'egkCa'> }, now: () => Date): OcspResponder {
  const issuer =
    'dir' in src
      ? { cert: TrustCert.parse(readFileSync(path.join(src.dir, 'x509', 'egk-ca.der')), 'Test-eGK-CA'), key: createPrivateKey(readFileSync(path.join(src.dir, 'ca-keys', 'egk-ca.prv.pem'), 'utf8')) }
      : { cert: TrustCert.parse(src.pki.egkCa.der, 'Test-eGK-CA'), key: createPrivateKey(exportEcPrivateKeyPem(src.pki.egkCa.key.curve, src.pki.egkCa.key.privateKey)) };
  const responder = new OcspResponder({ issuer, now });
  if ('dir' in src) {
    const cards = path.join(src.dir, 'cards');
    for (const f of readdirSync(cards).filter((n) => n.endsWith('.xml')).sort()) {
      const der = chAutOfCardImage(readFileSync(path.join(cards, f), 'utf8'));
      if (der) responder.register(TrustCert.parse(der, f));
    }
  }
  return responder;
}

/** The body of EF.C.CH.AUT.E256 in a card image XML (gematik's format, also the test PKI's). */
export function chAutOfCardImage(xml: string): Uint8Array | null {
  const at = xml.indexOf('id="EF.C.CH.AUT.E256"');
  if (at < 0) return null;
  const body = /<attribute id="body">([0-9A-Fa-f]+)<\/attribute>/.exec(xml.slice(at));
  return body ? new Uint8Array(Buffer.from(body[1]!, 'hex')) : null;
}
