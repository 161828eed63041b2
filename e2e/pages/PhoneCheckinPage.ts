import { expect, type Page } from '@playwright/test';

/** The insured person's phone: consent link → GesundheitsID (test IdP) → consent screen. */
export class PhoneCheckinPage {
  constructor(readonly page: Page) {}

  async open(link: string) {
    await this.page.goto(link);
    await expect(this.page.getByRole('heading', { name: 'Online-Check-in' })).toBeVisible();
  }

  async loginWithGesundheitsId(person = 'Erika Mustermann', opts: { substantialOnly?: boolean } = {}) {
    await this.page.getByRole('button', { name: 'Mit GesundheitsID anmelden' }).click();
    await expect(this.page.getByRole('heading', { name: /GesundheitsID/ })).toBeVisible();
    await this.page.getByText(person).click();
    if (opts.substantialOnly) await this.page.getByLabel(/substantiell/).check();
    await this.page.getByRole('button', { name: 'Anmelden' }).click();
  }

  async expectConsentScreen() {
    await expect(this.page.getByRole('heading', { name: 'Diese Daten gehen an die Praxis' })).toBeVisible();
    return this.page.getByTestId('consent-share');
  }

  async confirm() {
    await this.page.getByRole('button', { name: 'Bestätigen' }).click();
    await expect(this.page.getByRole('status')).toContainText('hat Ihren Check-in erhalten');
  }

  async decline() {
    await this.page.getByRole('button', { name: 'Ablehnen' }).click();
    await expect(this.page.getByRole('status')).toContainText('abgelehnt');
  }
}
