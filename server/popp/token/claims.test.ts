import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { isIssuerUrl, poppClaimsSchema, poppHeaderSchema, PROOF_METHODS } from './claims';
import { interopAvailable, interopPath } from '../../testing/interop';

const valid = {
  version: '1.0.0',
  iss: 'https://popp.example.com',
  iat: 1722593256,
  proofMethod: 'ehc-practitioner-trustedchannel',
  patientProofTime: 1722593255,
  patientId: 'X123456789',
  insurerId: '123456789',
  actorId: '1-2012345678',
  actorProfessionOid: '1.2.276.0.76.4.50',
};

describe('poppClaimsSchema', () => {
  it('accepts the yaml example', () => {
    expect(poppClaimsSchema.safeParse(valid).success).toBe(true);
  });
  it.each([
    ['extra claim', { ...valid, exp: 1 }],
    ['missing claim', (({ actorId: _a, ...r }) => r)(valid)],
    ['wrong version', { ...valid, version: '1' }],
    ['unknown proofMethod', { ...valid, proofMethod: 'ehc-practitioner-contact' }],
    ['lower-case KVNR', { ...valid, patientId: 'x123456789' }],
    ['KVNR too long', { ...valid, patientId: 'X1234567890' }],
    ['IK with 8 digits', { ...valid, insurerId: '12345678' }],
    ['fractional iat', { ...valid, iat: 1.5 }],
    ['string iat', { ...valid, iat: '1722593256' }],
    ['negative proof time', { ...valid, patientProofTime: -1 }],
    ['issuer with path', { ...valid, iss: 'https://popp.example.com/popp' }],
    ['issuer with trailing slash', { ...valid, iss: 'https://popp.example.com/' }],
    ['empty actorId', { ...valid, actorId: '' }],
    ['actorId with blank', { ...valid, actorId: '1 2' }],
    ['bad OID', { ...valid, actorProfessionOid: '1.2.276.0.76.4.050' }],
  ])('rejects %s', (_n, claims) => {
    expect(poppClaimsSchema.safeParse(claims).success).toBe(false);
  });
  it('knows the 9 proof methods', () => expect(PROOF_METHODS).toHaveLength(9));
});

describe('isIssuerUrl', () => {
  it.each(['https://popp.example.com', 'http://localhost:3000', 'https://10.0.0.1:8443'])('accepts %s', (u) => expect(isIssuerUrl(u)).toBe(true));
  it.each(['https://POPP.example.com', 'https://popp.example.com:443', 'https://a@popp.example.com', 'ftp://x.de', 'popp.example.com', 'https://x.de?a=1', 'https://x.de#f'])(
    'rejects %s',
    (u) => expect(isIssuerUrl(u)).toBe(false),
  );
});

describe('poppHeaderSchema', () => {
  const h = { typ: 'vnd.telematik.popp+jwt', alg: 'ES256', kid: 'x_vW4LVDipvu8iUQ5alKsZLWtH6jh4eJ4c5offXtMV0' };
  it('accepts the yaml example', () => expect(poppHeaderSchema.safeParse(h).success).toBe(true));
  it.each([{ ...h, jku: 'https://evil' }, { ...h, alg: 'HS256' }, { ...h, typ: 'JWT' }, { typ: h.typ, alg: h.alg }])('rejects %j', (x) =>
    expect(poppHeaderSchema.safeParse(x).success).toBe(false),
  );
});

describe.runIf(interopAvailable())("gematik's TokenClaims schema", () => {
  it('lists exactly the claims and proof methods we enforce', () => {
    const doc = parse(readFileSync(interopPath('api', 'I_PoPP_Token_Generation.yaml'), 'utf8'));
    const tc = doc.components.schemas.TokenClaims;
    expect([...tc.required].sort()).toEqual(Object.keys(poppClaimsSchema.shape).sort());
    expect(tc.properties.proofMethod.enum).toEqual([...PROOF_METHODS]);
    expect(doc.components.schemas.TokenHeaders.properties.typ.const).toBe('vnd.telematik.popp+jwt');
    expect(poppClaimsSchema.safeParse(tc.examples[0]).success).toBe(true);
  });
});
