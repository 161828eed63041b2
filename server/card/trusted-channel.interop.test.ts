import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { encodeCommand, parseCommand } from '../../lib/apdu/command';
import { generalAuthenticateStep2, listPublicKey, mseSetAt, selectMf } from '../../lib/apdu/commands';
import { parseResponse } from '../../lib/apdu/response';
import { equal, toHex } from '../../lib/bytes';
import { interopAvailable, interopPath } from '../testing/interop';
import { nodeCardCrypto } from './crypto-node';
import { type Cvc, describeKeyRef, parseCvc, parseCvcContent } from './cvc/cvc';
import { verifyCvcSignature } from './cvc/verify';
import { readTrace, testServiceIdentity } from './testing/interop-fixtures';
import { buildTrustedChannelSteps, parseGa1Response, parseListPublicKey } from './trusted-channel';

const available = interopAvailable();

describe.skipIf(!available)('trusted-channel.jsonl (real card, contact)', () => {
  const { exchanges } = available ? readTrace('trusted-channel.jsonl') : { exchanges: [] };
  const atos: Cvc[] = available
    ? readdirSync(interopPath('cvc/atos-root-ca')).map((f) => parseCvc(new Uint8Array(readFileSync(interopPath('cvc/atos-root-ca', f)))))
    : [];

  it('every response parses (LIST PUBLIC KEY entries, the card ephemeral key) and every status is 9000', () => {
    expect(exchanges.length).toBe(11);
    for (const e of exchanges) expect(parseResponse(e.rx).sw).toBe(0x9000);
    const entries = parseListPublicKey(parseResponse(exchanges[0].rx).data);
    expect(entries.map((e) => `${e.usage === 'verification' ? 'B6' : 'A4'}:${describeKeyRef(e.keyRef)}`)).toEqual([
      'B6:DEGXX870222',
      'B6:DEGXX120223',
      'A4:000A80276001011699902101',
      'B6:DEGXX850218',
      'A4:4D6F7270686F414343455353',
      'B6:4D6F7270686F564552',
      'B6:DEGXX860220',
      'B6:0000000000000013',
    ]);
    const ga1 = exchanges[9];
    const point = parseGa1Response(nodeCardCrypto, parseResponse(ga1.rx).data);
    expect(point.length).toBe(65);
  });

  it('our builders reproduce every command byte for byte from the same inputs', () => {
    expect(toHex(encodeCommand(listPublicKey()))).toBe(toHex(exchanges[0].tx));
    expect(toHex(encodeCommand(selectMf()))).toBe(toHex(exchanges[1].tx));
    // The imported CVCs are gematik's published link/root certificates: take them from the files.
    const psoData = [4, 6, 8].map((i) => parseCommand(exchanges[i].tx).data);
    const imports = psoData.map((d) => {
      const fromTrace = parseCvcContent(d);
      const file = atos.find((c) => equal(c.bodyAndSignature, d));
      expect(file, `trace CVC ${describeKeyRef(fromTrace.chr)} is a published file`).toBeDefined();
      return file!;
    });
    expect(imports.map((c) => `${describeKeyRef(c.car)}→${describeKeyRef(c.chr)}`)).toEqual([
      'DEGXX850218→DEGXX840216',
      'DEGXX840216→DEGXX830214',
      'DEGXX830214→DEGXX830214',
    ]);
    const serviceChr = testServiceIdentity().ee.chr;
    const steps = buildTrustedChannelSteps({ imports, serviceChr, extended: true });
    expect(steps.map((s) => toHex(s.command))).toEqual(exchanges.slice(2, 10).map((e) => toHex(e.tx)));
    expect(toHex(encodeCommand(mseSetAt(9, 0x54)))).toBe(toHex(exchanges[2].tx));
    const serviceEphemeral = parseCommand(exchanges[10].tx).data.slice(4);
    expect(toHex(encodeCommand(generalAuthenticateStep2(serviceEphemeral)))).toBe(toHex(exchanges[10].tx));
    expect(nodeCardCrypto.isValidPublicKey('brainpoolP256r1', serviceEphemeral)).toBe(true);
  });

  it('each imported link certificate verifies with the key the card held before it', () => {
    const chain = [4, 6, 8].map((i) => parseCvcContent(parseCommand(exchanges[i].tx).data));
    const known850218 = atos.find((c) => describeKeyRef(c.chr) === 'DEGXX850218' && equal(c.car, c.chr))!;
    let issuer = known850218.publicKey.point;
    for (const c of chain) {
      expect(verifyCvcSignature(nodeCardCrypto, c, issuer)).toBe(true);
      issuer = c.publicKey.point;
    }
  });
});
