import { expect, type Locator, type Page } from '@playwright/test';

/** The practice dashboard as staff see it (German UI). */
export class DashboardPage {
  constructor(readonly page: Page, readonly baseUrl: string) {}

  async open() {
    await this.page.goto(`${this.baseUrl}/`);
    await expect(this.page.getByRole('status').filter({ hasText: 'Live verbunden' })).toBeVisible();
  }

  async startCheckin(workplace?: string): Promise<string> {
    if (workplace) await this.page.getByLabel('Arbeitsplatz (optional)').fill(workplace);
    await this.page.getByRole('button', { name: 'Online-Check-in starten' }).click();
    await expect(this.page.getByTestId('consent-qr')).toBeVisible();
    return this.page.getByLabel('Link kopieren').inputValue();
  }

  row(n = 0): Locator {
    return this.page.locator('table.checkins tbody tr').nth(n);
  }

  async expectNewestState(state: string, reason = '') {
    await expect(this.row(0)).toHaveAttribute('data-state', state);
    await expect(this.row(0)).toHaveAttribute('data-reason', reason);
  }

  async revealNewestToken(): Promise<string> {
    await this.row(0).getByRole('button', { name: 'Token anzeigen' }).click();
    return (await this.row(0).getByTestId('popp-token').textContent()) ?? '';
  }
}
