/** Object identifiers the trust layer checks (gemSpec_OID, RFC 5280, RFC 6960, Common PKI). */
export const OID = {
  // gematik policies and roles
  egkAut: '1.2.276.0.76.4.70', // oid_egk_aut: certificate type of C.CH.AUT
  gematikPolicy: '1.2.276.0.76.4.163', // oid_policy_gem_or_cp
  tspEgk: '1.2.276.0.76.4.325', // oid_tsp-egk: role of the hash-DB import signer
  versicherter: '1.2.276.0.76.4.49',

  // X.509 extensions
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  qcStatements: '1.3.6.1.5.5.7.1.3',
  admission: '1.3.36.8.3.3',
  ocspNoCheck: '1.3.6.1.5.5.7.48.1.5',

  // access methods, key purposes
  adOcsp: '1.3.6.1.5.5.7.48.1',
  kpOcspSigning: '1.3.6.1.5.5.7.3.9',

  // OCSP
  ocspBasic: '1.3.6.1.5.5.7.48.1.1',
  ocspNonce: '1.3.6.1.5.5.7.48.1.2',
  certHash: '1.3.36.8.3.13', // Common PKI: positive statement, gemSpec_PKI requires it in responses

  // CMS
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  attrContentType: '1.2.840.113549.1.9.3',
  attrMessageDigest: '1.2.840.113549.1.9.4',
  attrSigningTime: '1.2.840.113549.1.9.5',

  // algorithms
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
  rsaSha256: '1.2.840.113549.1.1.11',
  rsaSha384: '1.2.840.113549.1.1.12',
  rsaSha512: '1.2.840.113549.1.1.13',
  brainpoolP256r1: '1.3.36.3.3.2.8.1.1.7',
  prime256v1: '1.2.840.10045.3.1.7',
} as const;

export type HashName = 'sha1' | 'sha256' | 'sha384' | 'sha512';

export const HASH_OIDS: Record<string, HashName> = {
  [OID.sha1]: 'sha1',
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

export const OID_OF_HASH: Record<HashName, string> = {
  sha1: OID.sha1,
  sha256: OID.sha256,
  sha384: OID.sha384,
  sha512: OID.sha512,
};

/** Signature algorithms accepted on OCSP responses and CMS signer infos, with the digest they use. */
export const SIGNATURE_OIDS: Record<string, { hash: HashName; kind: 'ecdsa' | 'rsa' }> = {
  [OID.ecdsaSha256]: { hash: 'sha256', kind: 'ecdsa' },
  [OID.ecdsaSha384]: { hash: 'sha384', kind: 'ecdsa' },
  [OID.ecdsaSha512]: { hash: 'sha512', kind: 'ecdsa' },
  [OID.rsaSha256]: { hash: 'sha256', kind: 'rsa' },
  [OID.rsaSha384]: { hash: 'sha384', kind: 'rsa' },
  [OID.rsaSha512]: { hash: 'sha512', kind: 'rsa' },
};
