/**
 * XML signature of a TSL (ETSI TS 119 612 §5.7: enveloped XAdES signature over the whole list).
 * xml-crypto does references, transforms and exclusive c14n; it has no ECDSA, and WebCrypto has
 * no brainpool, so the ECDSA algorithms are registered here and verify through node:crypto.
 * Only what the signature covers is handed on: the canonical bytes of the URI="" reference,
 * never nodes of the original document (signature wrapping).
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyLike } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml, type SignatureAlgorithm } from 'xml-crypto';
import { TrustError } from '../errors';
import { TrustCert } from '../x509/certificate';

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const TSL_NS = 'http://uri.etsi.org/02231/v2#';
export const ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';

const ECDSA_ALGORITHMS = {
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256': 'sha256',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384': 'sha384',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512': 'sha512',
} as const;
type EcdsaUri = keyof typeof ECDSA_ALGORITHMS;
const ACCEPTED_SIGNATURE_METHODS = new Set<string>([...Object.keys(ECDSA_ALGORITHMS), 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256']);

/** XML-DSig ECDSA signature values are r‖s (RFC 4050 / XML-DSig 1.1), not DER. */
function ecdsaAlgorithm(uri: EcdsaUri): new () => SignatureAlgorithm {
  const hash = ECDSA_ALGORITHMS[uri];
  return class implements SignatureAlgorithm {
    getAlgorithmName() {
      return uri;
    }
    getSignature(signedInfo: unknown, privateKey: KeyLike): string {
      const key = createPrivateKey(privateKey as Parameters<typeof createPrivateKey>[0]);
      return sign(hash, Buffer.from(String(signedInfo)), { key, dsaEncoding: 'ieee-p1363' }).toString('base64');
    }
    verifySignature(material: string, key: KeyLike, signatureValue: string): boolean {
      try {
        const pub = createPublicKey(key as Parameters<typeof createPublicKey>[0]);
        return verify(hash, Buffer.from(material), { key: pub, dsaEncoding: 'ieee-p1363' }, Buffer.from(signatureValue, 'base64'));
      } catch {
        return false;
      }
    }
  } as unknown as new () => SignatureAlgorithm;
}

/** Registers the ECDSA algorithms on one SignedXml instance (no global registry is touched). */
export function withEcdsa(sx: SignedXml): SignedXml {
  for (const uri of Object.keys(ECDSA_ALGORITHMS) as EcdsaUri[]) {
    (sx.SignatureAlgorithms as Record<string, new () => SignatureAlgorithm>)[uri] = ecdsaAlgorithm(uri);
  }
  return sx;
}

/** Parses XML strictly: any parser error is a malformed TSL, warnings (e.g. U+FFFD in names) are not. */
export function parseXmlStrict(xml: string): Document {
  const errors: string[] = [];
  let doc: Document | undefined;
  try {
    doc = new DOMParser({
      onError: (level, msg) => {
        if (level !== 'warning') errors.push(msg);
      },
    }).parseFromString(xml, 'text/xml') as unknown as Document;
  } catch (e) {
    errors.push((e as Error).message);
  }
  if (errors.length > 0 || !doc?.documentElement) {
    throw new TrustError('TSL_MALFORMED', `TSL ist kein wohlgeformtes XML: ${errors[0] ?? 'kein Wurzelelement'}`);
  }
  return doc;
}

function childElements(el: Element, ns: string, local: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).namespaceURI === ns && (n as Element).localName === local) out.push(n as Element);
  }
  return out;
}

export interface VerifiedTslXml {
  signer: TrustCert;
  /** Exclusive-c14n form of the whole list without its signature: the only text later parsed. */
  signedXml: string;
  signatureMethod: string;
}

/**
 * Verifies the enveloped signature of a TSL and returns its signer and the signed content.
 * Signer trust (pinning) is the caller's `checkSigner`, run before the signature is checked.
 */
export function verifyTslSignature(xml: string, checkSigner?: (signer: TrustCert) => void): VerifiedTslXml {
  const doc = parseXmlStrict(xml);
  const root = doc.documentElement;
  if (root.namespaceURI !== TSL_NS || root.localName !== 'TrustServiceStatusList') {
    throw new TrustError('TSL_MALFORMED', `Wurzelelement ist nicht TrustServiceStatusList (${root.localName})`);
  }
  if (doc.getElementsByTagNameNS(DSIG_NS, 'Signature').length !== 1) {
    throw new TrustError('TSL_SIGNATURE_INVALID', 'TSL muss genau eine XML-Signatur enthalten');
  }
  const [signature] = childElements(root, DSIG_NS, 'Signature');
  if (!signature) throw new TrustError('TSL_SIGNATURE_INVALID', 'Die Signatur ist kein direktes Kind der TSL (nicht enveloped)');

  const signedInfo = childElements(signature, DSIG_NS, 'SignedInfo')[0];
  const method = signedInfo ? childElements(signedInfo, DSIG_NS, 'SignatureMethod')[0]?.getAttribute('Algorithm') ?? '' : '';
  if (!ACCEPTED_SIGNATURE_METHODS.has(method)) {
    throw new TrustError('TSL_SIGNATURE_INVALID', `Signaturverfahren nicht zugelassen: ${method || '(fehlt)'}`);
  }

  const keyInfo = childElements(signature, DSIG_NS, 'KeyInfo')[0];
  const x509Data = keyInfo ? childElements(keyInfo, DSIG_NS, 'X509Data')[0] : undefined;
  const certText = x509Data ? childElements(x509Data, DSIG_NS, 'X509Certificate')[0]?.textContent : undefined;
  if (!certText) throw new TrustError('TSL_SIGNER_UNTRUSTED', 'Die TSL-Signatur nennt kein Signer-Zertifikat (KeyInfo/X509Certificate)');
  let signer: TrustCert;
  try {
    signer = TrustCert.fromBase64(certText, 'TSL-Signer-Zertifikat');
  } catch (e) {
    throw new TrustError('TSL_SIGNER_UNTRUSTED', 'Das TSL-Signer-Zertifikat ist nicht lesbar', { cause: e });
  }

  // A signer that is not pinned is refused before the costly canonicalisation of the whole list.
  checkSigner?.(signer);

  const sx = withEcdsa(
    new SignedXml({
      publicCert: signer.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      getCertFromKeyInfo: () => null,
    }),
  );
  let ok = false;
  try {
    sx.loadSignature(signature as unknown as Node);
    ok = sx.checkSignature(xml);
  } catch (e) {
    throw new TrustError('TSL_SIGNATURE_INVALID', `TSL-Signatur ungültig: ${(e as Error).message}`, { cause: e });
  }
  if (!ok) throw new TrustError('TSL_SIGNATURE_INVALID', 'TSL-Signatur ungültig (Digest oder Signaturwert passt nicht)');

  const whole = sx.getReferences().find((r) => r.isEmptyUri || r.uri === '' || r.uri === `#${root.getAttribute('Id') ?? '\u0000'}`);
  if (!whole?.signedReference || !whole.transforms.includes(ENVELOPED)) {
    throw new TrustError('TSL_SIGNATURE_INVALID', 'Die TSL-Signatur deckt nicht die ganze Liste ab (keine enveloped Referenz auf das Dokument)');
  }
  return { signer, signedXml: whole.signedReference, signatureMethod: method };
}
