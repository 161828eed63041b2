/**
 * Enrols the first staff member of each test server through its one-time setup link
 * with a passkey from Chromium's virtual authenticator, then keeps the session
 * (storage state) and the passkey itself for the specs.
 */
import { devices, expect, test } from '@playwright/test';
import { writeFileSync } from 'node:fs';
import { addVirtualAuthenticator, exportCredentials } from './support/passkey';
import { credentialFile, servers, staffStateFile } from './support/servers';

for (const name of ['main', 'short'] as const) {
  test(`enrol staff passkey on ${name}`, async ({ browser }) => {
    const s = servers()[name];
    const context = await browser.newContext({ ...devices['Desktop Chrome'], locale: 'de-DE' });
    const page = await context.newPage();
    const { cdp, authenticatorId } = await addVirtualAuthenticator(context, page);
    await page.goto(s.setupLink);
    await expect(page.getByRole('heading', { name: 'Praxis-Zugang einrichten' })).toBeVisible();
    await page.getByLabel('Ihr Name').fill('Dr. Anna Admin');
    await page.getByRole('button', { name: 'Passkey anlegen' }).click();
    await expect(page.getByRole('status')).toHaveText('Fertig. Ihr Zugang ist eingerichtet.');
    await page.getByRole('link', { name: 'Zum Dashboard' }).click();
    await expect(page.getByRole('button', { name: 'Online-Check-in starten' })).toBeVisible();
    writeFileSync(credentialFile(name), JSON.stringify(await exportCredentials(cdp, authenticatorId)));
    await context.storageState({ path: staffStateFile(name) });

    // The link is single use: a second visit explains why it no longer works.
    await page.goto(s.setupLink);
    await expect(page.locator('p[role="alert"]')).toContainText('bereits verwendet');
    await context.close();
  });
}
