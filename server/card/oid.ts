import { CardError } from '../../lib/apdu/errors';

/** Dotted form of DER OID content bytes (X.690 §8.19). */
export function oidToString(der: Uint8Array): string {
  if (der.length === 0) throw new CardError('TLV_LENGTH_INVALID', 'empty OID');
  const arcs: number[] = [];
  let v = 0;
  for (let i = 0; i < der.length; i++) {
    const b = der[i];
    if (v === 0 && b === 0x80) throw new CardError('TLV_LENGTH_INVALID', 'non-minimal OID arc');
    v = v * 128 + (b & 0x7f);
    if (v > Number.MAX_SAFE_INTEGER / 128) throw new CardError('TLV_LENGTH_INVALID', 'OID arc too large');
    if ((b & 0x80) === 0) {
      arcs.push(v);
      v = 0;
    } else if (i === der.length - 1) {
      throw new CardError('TLV_TRUNCATED', 'OID ends inside an arc');
    }
  }
  const first = arcs[0] < 40 ? 0 : arcs[0] < 80 ? 1 : 2;
  return [first, arcs[0] - first * 40, ...arcs.slice(1)].join('.');
}

export function oidFromString(oid: string): Uint8Array {
  const arcs = oid.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new CardError('TLV_LENGTH_INVALID', 'invalid OID', { details: { oid } });
    return Number(s);
  });
  if (arcs.length < 2) throw new CardError('TLV_LENGTH_INVALID', 'invalid OID', { details: { oid } });
  const out: number[] = [];
  const push = (n: number) => {
    const tmp = [n & 0x7f];
    n = Math.floor(n / 128);
    while (n > 0) {
      tmp.unshift((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    out.push(...tmp);
  };
  push(arcs[0] * 40 + arcs[1]);
  for (const a of arcs.slice(2)) push(a);
  return Uint8Array.from(out);
}

export const OID = {
  ECDSA_WITH_SHA256: '1.2.840.10045.4.3.2',
  ECDSA_WITH_SHA384: '1.2.840.10045.4.3.3',
  ECDSA_WITH_SHA512: '1.2.840.10045.4.3.4',
  /** End-entity authentication key usage in gematik CVCs (OpenHealth-Core cvc.rs OID_CVC_ECDSA_PUBLIC_KEY). */
  CVC_AUTH_KEY: '1.3.36.3.5.3.1',
  CVC_FLAGLIST_TI: '1.2.276.0.76.4.152',
  CVC_FLAGLIST_CMS: '1.2.276.0.76.4.153',
} as const;
