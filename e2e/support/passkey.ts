import type { BrowserContext, CDPSession, Page } from '@playwright/test';

/** Chromium's virtual authenticator (CDP WebAuthn domain): a platform passkey with user verification. */
export async function addVirtualAuthenticator(context: BrowserContext, page: Page): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, authenticatorId };
}

export type VirtualCredential = Awaited<ReturnType<CDPSession['send']>> & Record<string, unknown>;

export async function exportCredentials(cdp: CDPSession, authenticatorId: string) {
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  return credentials;
}

export async function importCredentials(cdp: CDPSession, authenticatorId: string, credentials: Array<Record<string, unknown>>) {
  for (const credential of credentials) await cdp.send('WebAuthn.addCredential', { authenticatorId, credential: credential as never });
}
