/**
 * The embedded test GesundheitsID: a real OpenID provider (oidc-provider) set up the
 * way gematik's sectoral IdPs are (gemSpec_IDP_Sek, app-gemSekIdp): PAR required,
 * PKCE S256, ID tokens signed ES256 and encrypted ECDH-ES/A256GCM to the relying
 * party, gematik scope and claim names, acr/amr, auth_time. Development and tests only.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import type Provider from 'oidc-provider';
import type { Configuration } from 'oidc-provider';
import { newEcJwk, persistedJson, publicPart, type PrivateJwk } from '../keys/dev-secrets';
import { MemoryAdapter } from './memory-adapter';
import { findPerson } from './test-persons';

export const GID_SCOPES = ['openid', 'urn:telematik:versicherter', 'urn:telematik:display_name'];
export const ACR_HIGH = 'gematik-ehealth-loa-high';
export const ACR_SUBSTANTIAL = 'gematik-ehealth-loa-substantial';

export interface TestIdpOptions {
  issuer: string; // e.g. http://localhost:3000/idp
  dataDir: string;
  client: { clientId: string; redirectUris: string[]; encryptionJwk: PrivateJwk };
}

export async function createTestIdp(opts: TestIdpOptions): Promise<Provider> {
  const ProviderClass = await loadOidcProvider();
  const keys = persistedJson(path.join(opts.dataDir, 'secrets'), 'test-idp.json', () => ({
    signing: newEcJwk('test-idp-sig-1', 'sig', 'ES256'),
    cookieKeys: [createHash('sha256').update(String(Math.random()) + Date.now()).digest('base64url')],
  }));

  const configuration: Configuration = {
    adapter: MemoryAdapter,
    clients: [
      {
        client_id: opts.client.clientId,
        client_name: 'PoPP-Service (Entwicklung)',
        redirect_uris: opts.client.redirectUris,
        response_types: ['code'],
        grant_types: ['authorization_code'],
        // Real sectoral IdPs demand self_signed_tls_client_auth (mTLS); see README "GesundheitsID in production".
        token_endpoint_auth_method: 'none',
        id_token_signed_response_alg: 'ES256',
        id_token_encrypted_response_alg: 'ECDH-ES',
        id_token_encrypted_response_enc: 'A256GCM',
        require_pushed_authorization_requests: true,
        require_auth_time: true,
        jwks: { keys: [publicPart(opts.client.encryptionJwk) as never] },
      },
    ],
    jwks: { keys: [keys.signing as never] },
    cookies: { keys: keys.cookieKeys },
    scopes: GID_SCOPES,
    claims: {
      acr: null,
      amr: null,
      auth_time: null,
      'urn:telematik:versicherter': ['urn:telematik:claims:id', 'urn:telematik:claims:organization', 'urn:telematik:claims:profession'],
      'urn:telematik:display_name': ['urn:telematik:claims:display_name'],
    },
    acrValues: [ACR_HIGH, ACR_SUBSTANTIAL],
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    enabledJWA: {
      idTokenSigningAlgValues: ['ES256'],
      idTokenEncryptionAlgValues: ['ECDH-ES'],
      idTokenEncryptionEncValues: ['A256GCM'],
    },
    features: {
      devInteractions: { enabled: false },
      encryption: { enabled: true },
      pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true },
      claimsParameter: { enabled: true },
      rpInitiatedLogout: { enabled: false },
    },
    ttl: { IdToken: 300, AuthorizationCode: 60, PushedAuthorizationRequest: 90, Interaction: 600, Session: 3600, Grant: 3600 },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${new URL(opts.issuer).pathname}/interaction/${interaction.uid}` },
    async findAccount(_ctx: unknown, sub: string) {
      const person = findPerson(sub);
      if (!person) return undefined;
      return {
        accountId: sub,
        async claims() {
          return {
            // Pairwise-looking subject: never the KVNR itself.
            sub: createHash('sha256').update(`${opts.client.clientId}|${person.kvnr}`).digest('base64url'),
            'urn:telematik:claims:id': person.kvnr,
            'urn:telematik:claims:organization': person.ik,
            'urn:telematik:claims:profession': '1.2.276.0.76.4.49',
            'urn:telematik:claims:display_name': `${person.givenName} ${person.familyName}`,
          };
        },
      };
    },
    renderError(ctx: any, out: any) {
      ctx.type = 'html';
      ctx.body = `<!doctype html><meta charset="utf-8"><title>GesundheitsID – Fehler</title><h1>Anmeldung nicht möglich</h1><p>${escapeHtml(String(out.error))}: ${escapeHtml(String(out.error_description ?? ''))}</p>`;
    },
  };

  const provider = new ProviderClass(opts.issuer, configuration);
  provider.proxy = true;

  return provider;
}

/**
 * oidc-provider 9 warns on every start that it prefers Node 22. It runs on Node 20 (its
 * own test suite did until 9.x); the warning would only confuse practice IT, so the one
 * known line is dropped while the module loads. Every other warning still shows.
 */
async function loadOidcProvider(): Promise<typeof Provider> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
    warn(...args);
  };
  try {
    return (await import('oidc-provider')).default;
  } finally {
    console.warn = warn;
  }
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
