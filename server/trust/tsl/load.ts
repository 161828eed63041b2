/**
 * One TSL file → one TrustSnapshot, or a TrustError saying why not. Order: signer pin (is it
 * gematik's?), signature (is it intact?), NextUpdate (is it current?), then content.
 */
import { createHash } from 'node:crypto';
import { TrustError } from '../errors';
import type { TrustCert } from '../x509/certificate';
import { parseTsl } from './parse';
import type { TiRoot } from './roots';
import { TrustSnapshot } from './snapshot';
import { verifyTslSignature } from './xmldsig';

/** ETSI TS 119 612 extended key usage of a TSL signer certificate (id-tsl-kp-tslSigning). */
export const OID_TSL_SIGNING = '0.4.0.2231.3.0';

/**
 * Who may sign the TSL.
 * - `certificate`: exactly these signer certificates (SHA-256 of the DER). For gematik's test TSL,
 *   whose signer CA (GEM.TSL-CA1_256r1 TEST-ONLY) is not published.
 * - `ca`: any signer certificate issued by one of these TSL signer CAs, valid now and with the
 *   TSL-signing key purpose: what production pins (gemSpec_PKI TUC_PKI_011).
 */
export type TslSignerPin = { kind: 'certificate'; sha256: string[] } | { kind: 'ca'; cas: TrustCert[] };

export interface LoadTslOptions {
  pin: TslSignerPin;
  roots: readonly TiRoot[];
  now: Date;
  /** gematik's TSL is about 1 MB; far larger input is refused before parsing. Default 32 MiB. */
  maxBytes?: number;
}

export function checkTslSigner(signer: TrustCert, pin: TslSignerPin, now: Date): void {
  if (pin.kind === 'certificate') {
    const wanted = new Set(pin.sha256.map((h) => h.toLowerCase().replace(/[^0-9a-f]/g, '')));
    if (!wanted.has(signer.fingerprint256)) {
      throw new TrustError('TSL_SIGNER_UNTRUSTED', `TSL-Signer ${signer.subjectCn ?? '?'} ist nicht der konfigurierte Signer`, {
        details: { signerSha256: signer.fingerprint256 },
      });
    }
    return;
  }
  const ca = pin.cas.find((c) => signer.isIssuedBy(c));
  if (!ca) throw new TrustError('TSL_SIGNER_UNTRUSTED', `TSL-Signer ${signer.subjectCn ?? '?'} stammt von keiner konfigurierten TSL-CA`);
  if (!signer.isValidAt(now) || !ca.isValidAt(now)) {
    throw new TrustError('TSL_SIGNER_UNTRUSTED', `TSL-Signer ${signer.subjectCn ?? '?'} oder seine CA ist nicht gültig`);
  }
  if (!signer.extKeyUsage().includes(OID_TSL_SIGNING)) {
    throw new TrustError('TSL_SIGNER_UNTRUSTED', `TSL-Signer ${signer.subjectCn ?? '?'} hat nicht den Verwendungszweck TSL-Signatur`);
  }
}

export function loadTsl(file: Uint8Array | string, opts: LoadTslOptions): TrustSnapshot {
  const bytes = typeof file === 'string' ? Buffer.from(file, 'utf8') : Buffer.from(file);
  const max = opts.maxBytes ?? 32 * 1024 * 1024;
  if (bytes.length > max) throw new TrustError('TSL_MALFORMED', `TSL zu groß (${bytes.length} > ${max} Bytes)`);
  let xml: string;
  try {
    xml = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new TrustError('TSL_MALFORMED', 'TSL ist kein UTF-8', { cause: e });
  }
  const verified = verifyTslSignature(xml, (signer) => checkTslSigner(signer, opts.pin, opts.now));
  const tsl = parseTsl(verified.signedXml);
  if (tsl.nextUpdate.getTime() <= opts.now.getTime()) {
    throw new TrustError('TSL_EXPIRED', `TSL abgelaufen: NextUpdate ${tsl.nextUpdate.toISOString()} liegt nicht in der Zukunft`, {
      details: { nextUpdate: tsl.nextUpdate.toISOString(), sequenceNumber: tsl.sequenceNumber.toString() },
    });
  }
  return new TrustSnapshot(
    tsl,
    {
      id: tsl.id,
      sequenceNumber: tsl.sequenceNumber,
      issued: tsl.issued,
      nextUpdate: tsl.nextUpdate,
      signerCn: verified.signer.subjectCn,
      signerFingerprint256: verified.signer.fingerprint256,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    },
    opts.roots,
  );
}
