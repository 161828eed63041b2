import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ascii, toHex } from '../../../lib/bytes';
import { interopAvailable, interopPath } from '../../testing/interop';
import { importEcPrivateKey, nodeCardCrypto } from '../crypto-node';
import { type Cvc, describeKeyRef, parseCvc } from './cvc';
import { encodeCvc } from './encode';
import { certificatesToImport } from './chain';
import { validityAt, verifyChain, verifyCvcSignature } from './verify';

const available = interopAvailable();

function load(dir: string): { name: string; cvc: Cvc; bytes: Uint8Array }[] {
  return readdirSync(interopPath(dir))
    .filter((f) => f.endsWith('.cvc') || f.endsWith('.crt'))
    .map((name) => {
      const bytes = new Uint8Array(readFileSync(interopPath(dir, name)));
      return { name, bytes, cvc: parseCvc(bytes) };
    });
}

describe.skipIf(!available)('gematik CVCs (interop)', () => {
  const all = available ? [...load('cvc'), ...load('cvc/atos-root-ca')] : [];

  it('parses every CVC and re-encodes it byte for byte', () => {
    expect(all.length).toBe(3 + 32);
    for (const { cvc, bytes } of all) {
      expect(cvc.cpi).toBe(0x70);
      expect(toHex(encodeCvc(cvc))).toBe(toHex(bytes));
      expect(cvc.publicKey.curve).toBe('brainpoolP256r1');
    }
  });

  it('every certificate verifies against its issuer (by CAR), and not against another key', () => {
    for (const { name, cvc } of all) {
      const issuers = all.filter((o) => toHex(o.cvc.chr) === toHex(cvc.car));
      expect(issuers.length, `${name}: issuer ${describeKeyRef(cvc.car)} present`).toBeGreaterThan(0);
      const ok = issuers.some((i) => verifyCvcSignature(nodeCardCrypto, cvc, i.cvc.publicKey.point));
      expect(ok, `${name} verifies`).toBe(true);
      const stranger = all.find((o) => toHex(o.cvc.publicKey.point) !== toHex(issuers[0].cvc.publicKey.point))!;
      expect(verifyCvcSignature(nodeCardCrypto, cvc, stranger.cvc.publicKey.point)).toBe(false);
    }
  });

  it('the test service chain EE → DEGXX120223 → DEGXX870222 verifies, and its private key matches', () => {
    const byName = Object.fromEntries(all.map((x) => [x.name, x.cvc]));
    const root = byName['DEGXX870222.crt'];
    const sub = byName['DEGXX120223.crt'];
    const ee = byName['80276001011699902101-cvc-flag0.crt'];
    expect(root.role).toBe('root-ca');
    expect(sub.role).toBe('sub-ca');
    expect(ee.role).toBe('end-entity');
    expect(toHex(ee.chr)).toBe('000A80276001011699902101');
    expect(toHex(ee.chat.flags)).toBe('00000000000000');
    const anchor = { chr: root.chr, point: root.publicKey.point, flags: root.chat.flags };
    expect(verifyChain(nodeCardCrypto, [root, sub, ee], [anchor])).toBe(anchor);
    expect(verifyChain(nodeCardCrypto, [sub, ee], [anchor])).toBe(anchor);
    const key = importEcPrivateKey(readFileSync(interopPath('cvc/80276001011699902101-cvc-flag0.prv.pem'), 'utf8'));
    expect(key.curve).toBe('brainpoolP256r1');
    expect(toHex(key.publicKey)).toBe(toHex(ee.publicKey.point));
    const msg = ascii('service key proof');
    expect(nodeCardCrypto.ecdsaVerify('brainpoolP256r1', ee.publicKey.point, msg, nodeCardCrypto.ecdsaSign('brainpoolP256r1', key.privateKey, msg))).toBe(true);
    // Dates are judged separately: the sub-CA's validity at its own CED and one day after its CXD.
    expect(validityAt(sub, sub.effectiveDate)).toBe('valid');
    expect(validityAt(sub, { ...sub.expirationDate, year: sub.expirationDate.year + 1 })).toBe('expired');
  });

  it('finds the import path through link certificates like the real-card trace (card knows DEGXX850218)', () => {
    const pool = all.map((x) => x.cvc);
    const ee = all.find((x) => x.name.startsWith('80276001011699902101'))!.cvc;
    const knows850218 = [ascii('DEGXX').slice(), Uint8Array.of(0x85, 0x02, 0x18)];
    const known = [new Uint8Array([...knows850218[0], ...knows850218[1]])];
    const path = certificatesToImport(ee, pool, known)!;
    expect(path).not.toBeNull();
    expect(path.map((c) => describeKeyRef(c.chr))).toEqual(['DEGXX860220', 'DEGXX870222', 'DEGXX120223', '000A80276001011699902101']);
    // every step verifies with the key before it
    expect(toHex(path[0].car)).toBe(toHex(known[0]));
    for (let i = 1; i < path.length; i++) expect(verifyCvcSignature(nodeCardCrypto, path[i], path[i - 1].publicKey.point)).toBe(true);
    // a card that knows the service root needs only the sub-CA and the EE
    const short = certificatesToImport(ee, pool, [all.find((x) => x.name === 'DEGXX870222.crt')!.cvc.chr])!;
    expect(short.map((c) => describeKeyRef(c.chr))).toEqual(['DEGXX120223', '000A80276001011699902101']);
    expect(certificatesToImport(ee, pool, [ee.chr])).toEqual([]);
    expect(certificatesToImport(ee, pool, [ascii('NOBODY00')])).toBeNull();
  });
});
