/**
 * Production keys come from files the operator provides (e.g. from the TI PKI): never from
 * the development CA. The chain is checked for what every consumer will check anyway — the
 * signer certificate matches the key and names the oid_popp-token role — so a misconfigured
 * service fails at start instead of issuing tokens nobody accepts.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { OID_POPP_TOKEN } from './admission';
import { certExtensionsInfo, splitPemCertificates } from './certinfo';
import { DEV_MARKER_OU } from './devpki';
import { KeyStoreError } from './errors';
import { ecPublicCoords, thumbprint } from './jwk';
import { entityKeyFrom } from './entity';
import type { EntityKey, SigningKey } from './types';

export interface ProductionKeyFiles {
  /** PEM (PKCS#8 or SEC1) P-256 private key of the token signer. */
  signingKeyFile: string;
  /** PEM certificates, signer first, then its CA(s). */
  signingCertChainFile: string;
  /** PEM P-256 private key of the federation/entity key. */
  entityKeyFile: string;
}

function readKey(file: string, what: string): KeyObject {
  try {
    return createPrivateKey(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new KeyStoreError('key_file_invalid', `${what} (${file}) ist kein lesbarer PEM-Privatschlüssel.`, { cause: e });
  }
}


export async function loadProductionKeys(files: ProductionKeyFiles, nowMs: number): Promise<{ signer: SigningKey; entity: EntityKey }> {
  const privateKey = readKey(files.signingKeyFile, 'Signaturschlüssel');
  const coords = ecPublicCoords(privateKey);
  if (!coords) throw new KeyStoreError('key_file_invalid', 'Der Signaturschlüssel muss ein EC-P-256-Schlüssel sein (ES256).');

  let pems: string[];
  try {
    pems = splitPemCertificates(readFileSync(files.signingCertChainFile, 'utf8'));
  } catch (e) {
    throw new KeyStoreError('cert_chain_invalid', `Zertifikatskette ${files.signingCertChainFile} nicht lesbar.`, { cause: e });
  }
  if (pems.length === 0) throw new KeyStoreError('cert_chain_invalid', 'Die Zertifikatskette enthält kein Zertifikat.');
  const certs = pems.map((p) => new X509Certificate(p));
  const leafCoords = ecPublicCoords(certs[0].publicKey);
  if (!leafCoords || leafCoords.x !== coords.x || leafCoords.y !== coords.y) {
    throw new KeyStoreError('key_cert_mismatch', 'Das erste Zertifikat der Kette gehört nicht zum Signaturschlüssel.');
  }
  if (certs.some((c) => c.subject.includes(DEV_MARKER_OU))) {
    throw new KeyStoreError('development_keys_refused', 'Die Zertifikatskette stammt aus der Entwicklungs-CA.');
  }
  for (let i = 0; i + 1 < certs.length; i++) {
    if (!certs[i].checkIssued(certs[i + 1]) || !certs[i].verify(certs[i + 1].publicKey)) {
      throw new KeyStoreError('cert_chain_invalid', `Zertifikat ${i} der Kette ist nicht vom folgenden ausgestellt.`);
    }
  }
  if (Date.parse(certs[0].validTo) < nowMs) throw new KeyStoreError('cert_chain_invalid', 'Das Signaturzertifikat ist abgelaufen.');
  const { roles } = certExtensionsInfo(certs[0].raw);
  if (!roles?.includes(OID_POPP_TOKEN)) {
    throw new KeyStoreError('signer_role_missing', 'Das Signaturzertifikat trägt nicht die Rolle oid_popp-token (1.2.276.0.76.4.320).');
  }

  const x5c = certs.map((c) => c.raw.toString('base64'));
  const kid = await thumbprint(coords);
  const signer: SigningKey = { kid, privateKey, x5c, publicJwk: { ...coords, kid, alg: 'ES256', use: 'sig', x5c } };
  const entity = await entityKeyFrom(readKey(files.entityKeyFile, 'Entity-Schlüssel'));
  return { signer, entity };
}
