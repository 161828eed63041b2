/**
 * Shared test fixtures: gematik's card image files and a signed TSL over a generated PKI.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { interopPath } from '../../testing/interop';
import { OID } from '../oids';
import { loadTsl } from '../tsl/load';
import { parseRootsJson, type TiRoot } from '../tsl/roots';
import type { TrustSnapshot } from '../tsl/snapshot';
import { issueCertificate, type EgkPki, type Issued } from './certs';
import { buildSignedTsl, type TslServiceSpec } from './tsl-builder';

const DAY = 86_400_000;

/** The body of one file of gematik's test-card image (e.g. EF.C.CH.AUT.E256), as bytes. */
export function cardImageFile(id: string): Uint8Array {
  const xml = readFileSync(interopPath('card-image/IMG_eGK_G21_TU_root6.xml'), 'utf8');
  const at = xml.indexOf(`id="${id}"`);
  if (at < 0) throw new Error(`${id} not in card image`);
  const body = /<attribute id="body">([0-9A-Fa-f]+)<\/attribute>/.exec(xml.slice(at));
  if (!body) throw new Error(`${id} has no body`);
  return new Uint8Array(Buffer.from(body[1]!, 'hex'));
}

/** gematik's TSL with its embedded signer pinned, and roots.json. */
export function gematikSnapshot(now: Date): TrustSnapshot {
  const xml = readFileSync(interopPath('tsl/TSL-valid-ECC-rise-cvc.xml'), 'utf8');
  return loadTsl(xml, { pin: gematikTslPin(xml), roots: gematikRoots(), now });
}

export function gematikTslPin(xml: string): { kind: 'certificate'; sha256: string[] } {
  const b64 = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(xml)![1]!;
  return { kind: 'certificate', sha256: [createHash('sha256').update(Buffer.from(b64, 'base64')).digest('hex')] };
}

export function gematikRoots(): TiRoot[] {
  return parseRootsJson(readFileSync(interopPath('tsl/roots.json'), 'utf8'));
}

export function makeTslSigner(now: Date): Issued {
  return issueCertificate({
    subject: [['C', 'DE'], ['CN', 'popp tsl signer TEST-ONLY']],
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 400 * DAY),
    keyUsage: ['nonRepudiation'],
  });
}

export interface GeneratedTslOptions {
  now: Date;
  ocspUrl?: string;
  caService?: Partial<TslServiceSpec>;
  extraServices?: TslServiceSpec[];
  sequenceNumber?: number;
  nextUpdate?: Date;
  signer?: Issued;
}

export function generatedTslXml(pki: EgkPki, o: GeneratedTslOptions): { xml: string; signer: Issued } {
  const signer = o.signer ?? makeTslSigner(o.now);
  const xml = buildSignedTsl(
    {
      sequenceNumber: o.sequenceNumber ?? 1,
      issued: new Date(o.now.getTime() - DAY),
      nextUpdate: o.nextUpdate ?? new Date(o.now.getTime() + 30 * DAY),
      services: [
        {
          type: 'ca',
          name: pki.ca.cert.subjectCn!,
          cert: pki.ca.cert,
          supplyPoints: o.ocspUrl ? [o.ocspUrl] : [],
          extensionOids: [OID.egkAut],
          ...o.caService,
        },
        ...(o.extraServices ?? []),
      ],
    },
    signer,
  );
  return { xml, signer };
}

/** A snapshot over a generated PKI: its CA in a signed TSL, its root as the only TI root. */
export function generatedSnapshot(pki: EgkPki, o: GeneratedTslOptions): TrustSnapshot {
  const { xml, signer } = generatedTslXml(pki, o);
  return loadTsl(xml, {
    pin: { kind: 'certificate', sha256: [signer.cert.fingerprint256] },
    roots: [{ cn: pki.root.cert.subjectCn!, cert: pki.root.cert, links: [] }],
    now: o.now,
  });
}
