import { devices, test as base, type BrowserContext, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { DashboardPage } from './pages/DashboardPage';
import { PhoneCheckinPage } from './pages/PhoneCheckinPage';
import { servers, staffStateFile, type TestServer } from './support/servers';

type Fixtures = {
  server: TestServer;
  shortServer: TestServer;
  dashboard: DashboardPage;
  /** Opens a new phone (Pixel 7) browser context, as a patient's own device would be. */
  newPhone: () => Promise<{ context: BrowserContext; page: Page; checkin: PhoneCheckinPage }>;
  dashboardOn: (s: TestServer) => Promise<DashboardPage>;
};

export const test = base.extend<Fixtures>({
  server: async ({}, use) => use(servers().main),
  shortServer: async ({}, use) => use(servers().short),
  dashboardOn: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (s) => {
      if (!existsSync(staffStateFile(s.name))) throw new Error('setup project did not enrol staff');
      const context = await browser.newContext({ ...devices['Desktop Chrome'], storageState: staffStateFile(s.name), locale: 'de-DE' });
      contexts.push(context);
      const d = new DashboardPage(await context.newPage(), s.url);
      await d.open();
      return d;
    });
    for (const c of contexts) await c.close();
  },
  dashboard: async ({ dashboardOn, server }, use) => use(await dashboardOn(server)),
  newPhone: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async () => {
      const context = await browser.newContext({ ...devices['Pixel 7'], locale: 'de-DE' });
      contexts.push(context);
      const page = await context.newPage();
      return { context, page, checkin: new PhoneCheckinPage(page) };
    });
    for (const c of contexts) await c.close();
  },
});

export { expect } from '@playwright/test';
