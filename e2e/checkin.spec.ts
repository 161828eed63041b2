import { expect, test } from './fixtures';
import { expectValidPoppToken } from './support/token';

test.describe('Online-Check-in mit Consent-Code', () => {
  test('bestätigen → Token erscheint live im Dashboard', async ({ dashboard, newPhone, server }) => {
    const before = Math.floor(Date.now() / 1000);
    const link = await dashboard.startCheckin('Empfang-1');
    expect(link).toMatch(new RegExp(`^${server.url}/c/[A-Za-z0-9_-]{22,}$`));
    await dashboard.expectNewestState('waiting');

    const { checkin, page } = await newPhone();
    await checkin.open(link);
    await expect(page.getByTestId('practice-name')).toHaveText('Hausarztpraxis Dr. Demo (Testumgebung)');
    await checkin.loginWithGesundheitsId('Erika Mustermann');
    const share = await checkin.expectConsentScreen();
    await expect(share).toContainText('Erika Mustermann');
    await expect(share).toContainText('X110540756');
    await expect(share).toContainText('109500969');
    await expect(share).toContainText('1-20014060625');
    await checkin.confirm();

    await dashboard.expectNewestState('success');
    await expect(dashboard.page.getByTestId('code-status')).toHaveText('Bestätigt – der Check-in ist abgeschlossen.');
    await expect(dashboard.page.getByRole('button', { name: 'Link kopieren' })).toBeDisabled();
    await expect(dashboard.row(0)).toContainText('Erika Mustermann');
    await expect(dashboard.row(0)).toContainText('Empfang-1');
    const token = await dashboard.revealNewestToken();
    const claims = await expectValidPoppToken(token, server.url);
    expect(claims).toMatchObject({ proofMethod: 'healthid', patientId: 'X110540756', insurerId: '109500969', actorId: '1-20014060625', actorProfessionOid: '1.2.276.0.76.4.50' });
    expect(claims.patientProofTime).toBeGreaterThanOrEqual(before);
    expect(claims.patientProofTime).toBeLessThanOrEqual(claims.iat);
    // The service's own verifier (as a Fachdienst would call it) accepts it for this practice only.
    const verify = (actorId: string) =>
      fetch(`${server.url}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token, profile: 'erezept', actorId }) }).then((r) => r.json());
    expect(await verify('1-20014060625')).toMatchObject({ valid: true });
    expect(await verify('1-2099999999')).toMatchObject({ valid: false });

    // Confirming again (a double tap, a reload) yields no second token.
    await page.reload();
    await expect(page.locator('p[role="alert"]')).toContainText('bereits verwendet');
  });

  test('ablehnen → Dashboard zeigt „Abgelehnt“, kein Token', async ({ dashboard, newPhone }) => {
    const link = await dashboard.startCheckin();
    const { checkin } = await newPhone();
    await checkin.open(link);
    await checkin.loginWithGesundheitsId('Max Beispiel');
    await checkin.expectConsentScreen();
    await checkin.decline();
    await dashboard.expectNewestState('canceled', 'declined');
    await expect(dashboard.page.getByTestId('code-status')).toHaveText('Die Patientin / der Patient hat abgelehnt.');
    await expect(dashboard.row(0).getByRole('button', { name: 'Token anzeigen' })).toHaveCount(0);
  });

  test('abgelaufener Code ändert nichts und sagt warum', async ({ dashboardOn, shortServer, newPhone }) => {
    const dashboard = await dashboardOn(shortServer);
    const link = await dashboard.startCheckin();
    await expect(dashboard.page.getByText('Abgelaufen – bitte neuen Code erstellen.')).toBeVisible({ timeout: 20_000 });
    await dashboard.expectNewestState('canceled', 'expired');
    const { checkin, page } = await newPhone();
    await checkin.open(link);
    await expect(page.locator('p[role="alert"]')).toContainText('abgelaufen');
    await expect(page.getByRole('button', { name: 'Mit GesundheitsID anmelden' })).toHaveCount(0);
  });

  test('Login mit abgelaufenem Code wird vor der GesundheitsID abgefangen', async ({ dashboardOn, shortServer, newPhone }) => {
    const dashboard = await dashboardOn(shortServer);
    const link = await dashboard.startCheckin();
    const { checkin, page } = await newPhone();
    await checkin.open(link);
    await page.waitForTimeout(11_000);
    await page.getByRole('button', { name: 'Mit GesundheitsID anmelden' }).click();
    await expect(page.locator('p[role="alert"]')).toContainText('abgelaufen');
    await dashboard.expectNewestState('canceled', 'expired');
  });

  test('wiederverwendeter Code: zweites Gerät bekommt nichts', async ({ dashboard, newPhone }) => {
    const link = await dashboard.startCheckin();
    const first = await newPhone();
    await first.checkin.open(link);
    await first.checkin.loginWithGesundheitsId('Erika Mustermann');
    await first.checkin.expectConsentScreen();
    await first.checkin.confirm();
    await dashboard.expectNewestState('success');

    const second = await newPhone();
    await second.checkin.open(link);
    await expect(second.page.locator('p[role="alert"]')).toContainText('bereits verwendet');
    await expect(second.page.getByRole('button', { name: 'Mit GesundheitsID anmelden' })).toHaveCount(0);
    await expect(dashboard.page.locator('table.checkins tbody tr[data-state="success"]').first()).toBeVisible();
  });

  test('Link aus dem Videosprechstunden-Chat in einem zweiten Kontext', async ({ dashboard, newPhone, server }) => {
    const link = await dashboard.startCheckin();
    // The staff member copies the link; the patient opens it from a chat message in another browser.
    const chat = await newPhone();
    await chat.page.setContent(`<p>Ihre Praxis: bitte hier einchecken: <a href="${link}">${link}</a></p>`);
    await chat.page.getByRole('link').click();
    await expect(chat.page).toHaveURL(link);
    await chat.checkin.loginWithGesundheitsId('Aylin Yılmaz');
    await chat.checkin.expectConsentScreen();
    await chat.checkin.confirm();
    await dashboard.expectNewestState('success');
    const claims = await expectValidPoppToken(await dashboard.revealNewestToken(), server.url);
    expect(claims.patientId).toBe('A123456780');
  });

  test('eine bestehende Sitzung erzwingt trotzdem eine neue Anmeldung', async ({ dashboard, newPhone }) => {
    const phone = await newPhone();
    const first = await dashboard.startCheckin();
    await phone.checkin.open(first);
    await phone.checkin.loginWithGesundheitsId('Erika Mustermann');
    await phone.checkin.expectConsentScreen();
    await phone.checkin.confirm();

    // Same phone, same browser, still logged in at next-auth and at the IdP: a new code must not reuse that login.
    await dashboard.page.getByRole('button', { name: 'Schließen' }).click();
    const second = await dashboard.startCheckin();
    await phone.checkin.open(second);
    await expect(phone.page.getByRole('button', { name: 'Mit GesundheitsID anmelden' })).toBeVisible();
    await expect(phone.page.getByTestId('consent-share')).toHaveCount(0);
    await phone.page.getByRole('button', { name: 'Mit GesundheitsID anmelden' }).click();
    // The IdP asks again (prompt=login, max_age=0) instead of silently reusing its session.
    await expect(phone.page.getByRole('heading', { name: /GesundheitsID/ })).toBeVisible();
    await phone.page.getByText('Max Beispiel').click();
    await phone.page.getByRole('button', { name: 'Anmelden' }).click();
    const share = await phone.checkin.expectConsentScreen();
    await expect(share).toContainText('Max Beispiel');
  });

  test('Anmeldung nur mit Vertrauensniveau „substantiell“ wird abgelehnt', async ({ dashboard, newPhone }) => {
    const link = await dashboard.startCheckin();
    const { checkin, page } = await newPhone();
    await checkin.open(link);
    await checkin.loginWithGesundheitsId('Erika Mustermann', { substantialOnly: true });
    await expect(page.locator('p[role="alert"]')).toContainText('Vertrauensniveau');
    await expect(page.getByRole('button', { name: 'Bestätigen' })).toHaveCount(0);
    await dashboard.expectNewestState('waiting');
  });

  test('beschädigter Link sagt warum', async ({ newPhone, server }) => {
    const { page } = await newPhone();
    await page.goto(`${server.url}/c/abc`);
    await expect(page.locator('p[role="alert"]')).toContainText('unvollständig oder beschädigt');
    await page.goto(`${server.url}/c/${'A'.repeat(24)}`);
    await expect(page.locator('p[role="alert"]')).toContainText('unbekannt');
  });
});
