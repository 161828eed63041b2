/**
 * The production wiring of the eGK endpoint: nothing without a configured TSL, a clear refusal
 * when part of the configuration is missing, and with all of it the endpoint takes upgrades (the
 * 404 guard is lifted) on the full decision — no offline policy, no test PKI anchor, no /dev/ocsp/.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnv } from '../config/env';
import { serveEhc } from '../popp/ehc/test-server';
import { openStore, type DB } from '../store/db';
import { writeDevTrust } from '../testpki/write';
import { OID_TSL_SIGNING } from '../trust/tsl/load';
import { OID } from '../trust/oids';
import { issueCertificate, makeEgkPki } from '../trust/testing/certs';
import { makeImportSigner } from '../trust/testing/cms-builder';
import { buildSignedTsl } from '../trust/testing/tsl-builder';
import { createEhcWiring } from './ehc';
import type { Services } from './services';

const DAY = 86_400_000;
const now = new Date();
let dir: string;
let db: DB;
let services: Services;
let source: Record<string, string>;

const pem = (der: Uint8Array) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'popp-prod-'));
  const env = loadEnv({
    POPP_ENV: 'production',
    DATA_DIR: dir,
    PUBLIC_URL: 'https://popp.example',
    TEST_IDP: 'false',
    OIDC_ISSUER: 'https://idp.example',
    NEXTAUTH_SECRET: 'n'.repeat(40),
    POPP_TOKEN_KEY_FILE: 'unused',
    POPP_TOKEN_CERT_CHAIN_FILE: 'unused',
    POPP_ENTITY_KEY_FILE: 'unused',
  });
  db = await openStore({ dataDir: dir });
  services = { env, db, now: () => Date.now() } as unknown as Services;

  const t = now.getTime();
  const pki = makeEgkPki(now);
  const tslCa = issueCertificate({ subject: [['C', 'DE'], ['CN', 'POPP.TSL-CA1']], notBefore: new Date(t - DAY), notAfter: new Date(t + 400 * DAY), ca: {}, keyUsage: ['keyCertSign'] });
  const signer = issueCertificate({ subject: [['C', 'DE'], ['CN', 'POPP TSL Signer']], issuer: tslCa, notBefore: new Date(t - DAY), notAfter: new Date(t + 300 * DAY), keyUsage: ['nonRepudiation'], extKeyUsage: [OID_TSL_SIGNING] });
  const xml = buildSignedTsl(
    {
      sequenceNumber: 7,
      issued: new Date(t - DAY),
      nextUpdate: new Date(t + 30 * DAY),
      services: [{ type: 'ca', name: pki.ca.cert.subjectCn!, cert: pki.ca.cert, supplyPoints: ['http://127.0.0.1:9/ocsp'], extensionOids: [OID.egkAut] }],
    },
    signer,
  );
  const cvc = path.join(dir, 'cvc-material');
  writeDevTrust(cvc, { validCards: 0 });
  const importCa = makeImportSigner(now, { caName: 'POPP.KOMP-CA9' }).ca;
  const f = (name: string, content: string) => {
    writeFileSync(path.join(dir, name), content);
    return path.join(dir, name);
  };
  source = {
    POPP_TSL_FILE: f('tsl.xml', xml),
    POPP_TSL_SIGNER_CA_FILES: f('tsl-ca.pem', pem(tslCa.cert.der)),
    POPP_TI_ROOTS_FILE: f(
      'roots.json',
      JSON.stringify([{ cert: Buffer.from(pki.root.cert.der).toString('base64'), cn: pki.root.cert.subjectCn, name: '', next: '', prev: '', nva: '', nvb: '', ski: '' }]),
    ),
    EHC_SERVICE_CVC_FILES: `${path.join(cvc, 'cvc', 'service-sub-ca.cvc')},${path.join(cvc, 'cvc', 'service.cvc')}`,
    EHC_SERVICE_KEY_FILE: path.join(cvc, 'cvc', 'service.prv.pem'),
    EHC_CVC_ROOT_FILES: path.join(cvc, 'cvc', 'root.cvc'),
    HASHDB_ADMIN_TOKEN: 'p'.repeat(40),
    HASHDB_SIGNER_CA_FILES: f('komp-ca.pem', pem(importCa.cert.der)),
  };
});

afterAll(async () => {
  await db?.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function upgrade(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url.replace('ws:', 'http:'));
    const req = request({
      host: u.hostname,
      port: u.port,
      path: u.pathname,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    req.on('response', (res) => resolve(res.statusCode ?? 0));
    req.on('upgrade', (res, socket) => (socket.destroy(), resolve(res.statusCode ?? 0)));
    req.on('error', reject);
    req.end();
  });
}

describe('eGK wiring in production', () => {
  it('has no endpoint without a configured TSL', async () => {
    expect(await createEhcWiring(services, { source: {} })).toBeNull();
  });

  it('names what is missing when the TSL is configured but the rest is not', async () => {
    await expect(createEhcWiring(services, { source: { POPP_TSL_FILE: source.POPP_TSL_FILE! } })).rejects.toThrow(/HASHDB_ADMIN_TOKEN.*HASHDB_SIGNER_CA_FILES/);
  });

  it('refuses a test-material import signer CA', async () => {
    const testCa = makeImportSigner(now).ca; // "POPP.KOMP-CA1 TEST-ONLY", O "… NOT-VALID"
    writeFileSync(path.join(dir, 'test-ca.pem'), pem(testCa.cert.der));
    await expect(createEhcWiring(services, { source: { ...source, HASHDB_SIGNER_CA_FILES: path.join(dir, 'test-ca.pem') } })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('with the whole configuration: the full decision, no dev responder, and the 404 guard lifted', async () => {
    const wiring = (await createEhcWiring(services, { source }))!;
    try {
      expect(wiring.devOcsp).toBeNull();
      expect(wiring.devCredential).toBeNull();
      expect(wiring.trust?.store?.info?.sequenceNumber).toBe(7n);
      const s = await serveEhc(wiring.endpoint);
      try {
        // Not 404: the endpoint is open in production; this client has no staff session, hence 401.
        expect(await upgrade(s.url)).toBe(401);
      } finally {
        await s.stop();
      }
    } finally {
      await wiring.close();
    }
  });
});
