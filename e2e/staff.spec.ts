import { devices } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { expect, test } from './fixtures';
import { addVirtualAuthenticator, importCredentials } from './support/passkey';
import { credentialFile } from './support/servers';

test('Praxispersonal meldet sich mit Passkey an, ohne Sitzung', async ({ browser, server }) => {
  const context = await browser.newContext({ ...devices['Desktop Chrome'], locale: 'de-DE' });
  const page = await context.newPage();
  const { cdp, authenticatorId } = await addVirtualAuthenticator(context, page);
  await importCredentials(cdp, authenticatorId, JSON.parse(readFileSync(credentialFile('main'), 'utf8')));
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: 'Anmeldung für Praxispersonal' })).toBeVisible();
  await page.getByRole('button', { name: 'Mit Passkey anmelden' }).click();
  await expect(page.getByRole('button', { name: 'Online-Check-in starten' })).toBeVisible();
  await expect(page.getByText('Dr. Anna Admin')).toBeVisible();
  await context.close();
});

test('ohne Anmeldung gibt es keinen Code und keine Liste', async ({ request, server }) => {
  const r = await request.post(`${server.url}/api/trpc/checkin.createConsentCode`, { data: {}, headers: { origin: server.url } });
  expect(r.status()).toBe(401);
  const list = await request.get(`${server.url}/api/trpc/checkin.list`);
  expect(list.status()).toBe(401);
});

test('English is switchable', async ({ dashboard }) => {
  await dashboard.page.getByRole('button', { name: 'English' }).click();
  await expect(dashboard.page.getByRole('button', { name: 'Start online check-in' })).toBeVisible();
  await dashboard.page.getByRole('button', { name: 'Deutsch' }).click();
  await expect(dashboard.page.getByRole('button', { name: 'Online-Check-in starten' })).toBeVisible();
});
