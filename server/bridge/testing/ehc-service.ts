import { CompactSign, generateKeyPair, jwtVerify } from 'jose';
import { devEhcTrust } from '../../popp/ehc/dev-trust';
import type { EhcTokenInput } from '../../popp/ehc/deps';
import { createEhcEndpoint } from '../../popp/ehc/endpoint';
import { serveEhc } from '../../popp/ehc/test-server';

/**
 * The eGK check-in service endpoint on loopback with gematik's development
 * trust and a throw-away token key, for the reader integration tests: a card
 * path is proven when a token comes out and verifies.
 */
export interface TestEhcService {
  url: string;
  issued: EhcTokenInput[];
  verify(token: string): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startTestEhcService(): Promise<TestEhcService> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const issued: EhcTokenInput[] = [];
  const endpoint = createEhcEndpoint({
    authenticate: async () => ({ telematikId: '1-20014060625', professionOid: '1.2.276.0.76.4.50' }),
    issueToken: async (input) => {
      issued.push(input);
      const claims = { iss: 'https://popp.test', iat: Math.floor(Date.now() / 1000), patientId: input.patientId, insurerId: input.insurerId };
      return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
        .setProtectedHeader({ typ: 'vnd.telematik.popp+jwt', alg: 'ES256' })
        .sign(privateKey);
    },
    trust: devEhcTrust(),
    config: { cardTimeBudgetMs: 15_000, maxFrameBytes: 65_536, production: false },
    now: Date.now,
    log: () => undefined,
  });
  const service = await serveEhc(endpoint);
  return {
    url: service.url,
    issued,
    verify: async (token) => (await jwtVerify(token, publicKey, { issuer: 'https://popp.test' })).payload,
    stop: service.stop,
  };
}
