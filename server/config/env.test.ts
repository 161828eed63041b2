import { describe, expect, it } from 'vitest';
import { ConfigError, loadEnv } from './env';

describe('environment', () => {
  it('starts on embedded defaults', () => {
    const e = loadEnv({});
    expect(e).toMatchObject({ PORT: 3000, PUBLIC_URL: 'http://localhost:3000', production: false, issuer: 'http://localhost:3000', oidcIssuer: 'http://localhost:3000/idp', CONSENT_CODE_TTL_SECONDS: 300 });
  });
  it('refuses development mode off localhost unless POPP_ENV says so explicitly', () => {
    expect(() => loadEnv({ PUBLIC_URL: 'https://praxis.example.de' })).toThrow(/POPP_ENV/);
    expect(() => loadEnv({ HOST: '0.0.0.0' })).toThrow(/POPP_ENV/);
    expect(loadEnv({ HOST: '127.0.0.1', PUBLIC_URL: 'http://localhost:3000' }).production).toBe(false);
  });
  it('derives the token issuer from PUBLIC_URL without path or trailing slash', () => {
    const e = loadEnv({ PUBLIC_URL: 'https://praxis.example.de/', POPP_ENV: 'development' });
    expect(e.issuer).toBe('https://praxis.example.de');
    expect(e.allowedOrigins).toContain('https://praxis.example.de');
  });
  it('lists every problem at once', () => {
    try {
      loadEnv({ PORT: 'x', CONSENT_CODE_TTL_SECONDS: '1', POPP_ENV: 'staging' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect(new Set((e as ConfigError).issues.map((i) => i.split(':')[0]))).toEqual(new Set(['CONSENT_CODE_TTL_SECONDS', 'PORT', 'POPP_ENV']));
    }
  });
  it('production refuses the test IdP, plain http and a missing session secret', () => {
    expect(() => loadEnv({ POPP_ENV: 'production' })).toThrow(/TEST_IDP[\s\S]*OIDC_ISSUER[\s\S]*NEXTAUTH_SECRET[\s\S]*PUBLIC_URL/);
    expect(() =>
      loadEnv({ POPP_ENV: 'production', TEST_IDP: 'false', OIDC_ISSUER: 'https://idp.example.de', NEXTAUTH_SECRET: 'x'.repeat(40), PUBLIC_URL: 'https://popp.example.de', POPP_TOKEN_KEY_FILE: 'k.pem', POPP_TOKEN_CERT_CHAIN_FILE: 'c.pem', POPP_ENTITY_KEY_FILE: 'e.pem' }),
    ).not.toThrow();
  });
});
