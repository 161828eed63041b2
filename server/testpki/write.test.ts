import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../lib/bytes';
import { importEcPrivateKey, nodeCardCrypto } from '../card/crypto-node';
import { parseCvc } from '../card/cvc/cvc';
import { verifyChain } from '../card/cvc/verify';
import { runContactFlow } from '../card/testing/run-flow';
import { run } from '../cli/testpki';
import { SoftwareEgk } from '../egk/software-egk';

const dir = mkdtempSync(path.join(os.tmpdir(), 'popp-testpki-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('popp testpki --out', () => {
  it('writes a trust setup whose service and cards work together', async () => {
    expect(await run(['--out', dir, '--cards', '2', '--lang', 'en'])).toBe(0);
    const trust = JSON.parse(readFileSync(path.join(dir, 'trust.json'), 'utf8'));
    const read = (rel: string) => new Uint8Array(readFileSync(path.join(dir, rel)));
    const root = parseCvc(read('cvc/root.cvc'));
    const chain = trust.service.chain.map((f: string) => parseCvc(read(f)));
    const anchors = [{ chr: root.chr, point: fromHex(trust.cvcTrustAnchors[0].publicKey), flags: root.chat.flags }];
    verifyChain(nodeCardCrypto, chain, anchors);
    const key = importEcPrivateKey(readFileSync(path.join(dir, trust.service.key), 'utf8'));
    expect(toHex(key.publicKey)).toBe(toHex(chain[2].publicKey.point));
    expect(trust.cards.length).toBe(2 + 6);
    const valid = trust.cards.find((c: { state: string }) => c.state === 'valid');
    const card = SoftwareEgk.fromImageXml(readFileSync(path.join(dir, valid.file), 'utf8'));
    const r = runContactFlow(card, { crypto: nodeCardCrypto, serviceCvc: chain[2], servicePrivateKey: key.privateKey, pool: chain, anchors });
    expect(r.chAut.kvnr).toBe(valid.kvnr);
  });

  it('refuses missing or bad options with exit code 2', async () => {
    expect(await run(['--lang', 'en'])).toBe(2);
    expect(await run(['--out', dir, '--cards', 'x'])).toBe(2);
  });
});
