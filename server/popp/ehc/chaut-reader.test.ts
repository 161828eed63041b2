import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../../lib/bytes/hex';
import { parseChAut } from '../../card/chaut';
import { nodeCardCrypto } from '../../card/crypto-node';
import { SoftwareEgk } from '../../egk';
import { createTestPki, issueCard } from '../../testpki/pki';
import { interopAvailable, interopPath } from '../../testing/interop';
import { createChAutValidator } from './chaut-validator';
import { kvnrAndIk, plainEcdsaSignature, readCertificate } from './chaut-reader';
import { isEhcError } from './errors';

const pki = createTestPki();

async function code(p: Promise<void>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    if (isEhcError(e)) return e.code;
    throw e;
  }
}

describe('the fast C.CH.AUT reader agrees with card/chaut.ts (pkijs)', () => {
  it('on 20 generated cards', () => {
    for (let i = 0; i < 20; i++) {
      const c = issueCard(pki);
      const ref = parseChAut(c.chAut);
      const view = readCertificate(c.chAut);
      expect(kvnrAndIk(view)).toEqual({ kvnr: ref.kvnr, ik: ref.ik });
      expect(view.notAfter).toBe(ref.notAfter.getTime());
      expect(toHex(view.publicKey)).toBe(toHex(ref.publicKey.point));
    }
  });

  it.runIf(interopAvailable())('on gematik’s test card (IK listed before the KVNR)', () => {
    const xml = readFileSync(interopPath('card-image', 'IMG_eGK_G21_TU_root6.xml'), 'utf8');
    const card = SoftwareEgk.fromImageXml(xml);
    card.transmit(Buffer.from('00A4040C0AA000000167455349474E', 'hex'));
    const r = card.transmit(Buffer.from('00B08400000000', 'hex'));
    const data = r.subarray(0, r.length - 2);
    const der = data.subarray(0, 4 + ((data[2] << 8) | data[3]));
    expect(kvnrAndIk(readCertificate(der))).toEqual({ kvnr: 'X110540756', ik: '109500969' });
    expect(parseChAut(der)).toMatchObject({ kvnr: 'X110540756', ik: '109500969' });
  });

  it('refuses trailing bytes, truncation and a second KVNR', () => {
    const c = issueCard(pki);
    expect(() => readCertificate(new Uint8Array([...c.chAut, 0]))).toThrow();
    expect(() => readCertificate(c.chAut.subarray(0, c.chAut.length - 1))).toThrow();
    const two = readCertificate(c.chAut);
    two.subjectAttributes.push({ ...two.subjectAttributes.find((a) => /^[A-Z]\d{9}$/.test(a.value))!, value: 'Y123456789' });
    expect(() => kvnrAndIk(two)).toThrow(/KVNR/);
  });

  it('converts DER signatures with leading zeros to r‖s', () => {
    const der = Uint8Array.from([0x30, 0x08, 0x02, 0x02, 0x00, 0x81, 0x02, 0x02, 0x01, 0x02]);
    expect(toHex(plainEcdsaSignature(der, 4))).toBe('0000008100000102');
  });
});

describe('development C.CH.AUT validator', () => {
  const validate = createChAutValidator({ cas: [pki.egkCa.der], crypto: nodeCardCrypto, now: Date.now });
  it('accepts a card of its CA and refuses tampered, expired and foreign ones', async () => {
    expect(await code(validate(issueCard(pki).chAut))).toBe('ok');
    expect(await code(validate(issueCard(pki, { state: 'tampered-ch-aut' }).chAut))).toBe('chaut-invalid');
    expect(await code(validate(issueCard(pki, { state: 'expired' }).chAut))).toBe('chaut-invalid');
    expect(await code(validate(issueCard(createTestPki()).chAut))).toBe('chaut-invalid');
    expect(await code(validate(Uint8Array.of(0x30, 0x00)))).toBe('chaut-invalid');
  });
});
