/**
 * eGK check-in from the dashboard with a card reader: a fake navigator.usb
 * (e2e/fixtures/fake-usb, installed before the page loads) with an APDU-level or
 * TPDU-level (T=1) CCID reader whose card is the software eGK from gematik's card
 * image; the local bridge with pairing; the development virtual reader. Every
 * token is verified against the server's /jwks.json.
 */
import type { Page } from '@playwright/test';
import { VirtualBackend } from '../server/bridge/virtual-backend';
import { startBridgeServer } from '../server/bridge/server';
import { SoftwareEgk } from '../server/egk';
import { expect, test } from './fixtures';
import { installFakeUsbOnPage, type FakeUsbOptions } from './fixtures/fake-usb';
import { CardReaderPanel } from './pages/CardReaderPanel';
import type { DashboardPage } from './pages/DashboardPage';
import { SoftwareCardSlot, expectGematikEgkToken, gematikCardXml } from './support/software-card';

const xml = gematikCardXml();
test.skip(!xml, "gematik's card image is not available (set POPP_INTEROP_DIR)");

type FakeUsbGlobal = { __fakeUsb: { device: { setCard(present: boolean): void } } };
const setCard = (page: Page, present: boolean) => page.evaluate((p) => (globalThis as unknown as FakeUsbGlobal).__fakeUsb.device.setCard(p), present);

/** REINER SCT cyberJack pinpad(a): a vendor-class CCID reader the dashboard's WebUSB chooser offers (VENDOR_CLASS_READERS, no quirks). */
const VENDOR_CLASS_IDS = { vendorId: 0x0c4b, productId: 0x0300 };

/** Installs the fake reader with a fresh software eGK and reloads the dashboard so the init script runs first. */
async function withFakeReader(dashboard: DashboardPage, options: Omit<FakeUsbOptions, 'cardBinding'>) {
  const card = new SoftwareCardSlot(xml!);
  if (process.env.POPP_E2E_DEBUG) {
    dashboard.page.on('console', (m) => console.log('[page]', m.type(), m.text()));
    dashboard.page.on('pageerror', (e) => console.log('[pageerror]', e.message));
  }
  await installFakeUsbOnPage(dashboard.page, { atr: card.atr, ...VENDOR_CLASS_IDS, ...options }, card.answer);
  await dashboard.open();
  return { card, panel: new CardReaderPanel(dashboard.page) };
}

/** The newest row of the live list is an eGK check-in carrying exactly this token. */
async function expectEgkRow(dashboard: DashboardPage, token: string) {
  await expect(dashboard.row(0)).toHaveAttribute('data-state', 'success');
  await expect(dashboard.row(0).locator('td').nth(1)).toHaveText('eGK');
  expect(await dashboard.revealNewestToken()).toBe(token);
}

test.describe('eGK einlesen im Dashboard', () => {
  for (const reader of ['apdu', 'tpdu'] as const) {
    test(`${reader === 'apdu' ? 'APDU-Leser' : 'TPDU-Leser (T=1)'} über WebUSB → verifiziertes Token, Liste zeigt die eGK-Zeile`, async ({ dashboard, server }) => {
      const { panel } = await withFakeReader(dashboard, { reader, readerFaults: { timeExtensions: 1 }, cardFaults: { wtx: 1 } });
      // No bridge answers on this server's bridge port, so WebUSB is preselected and the bridge says why not.
      await expect(panel.path(/WebUSB/)).toBeChecked();
      await expect(panel.pathOption('Lokale Brücke')).toContainText('Brücke nicht erreichbar');
      await expect(panel.root.getByTestId('path-hidden-smartcard-api')).toContainText('nur in Isolated Web Apps');
      await expect(panel.status()).toHaveText('Kein Lesegerät');

      await panel.chooseUsbReader();
      await expect(panel.status()).toHaveText('Karte gesteckt');
      await expect(panel.root.getByTestId('card-path-in-use')).toContainText(`Fake CCID reader (${reader === 'apdu' ? 'extended-apdu' : 'tpdu'})`);
      await expect(panel.root.getByTestId('path-webusb')).toContainText(reader === 'apdu' ? 'APDU-Ebene' : 'TPDU-Ebene');
      await panel.start();
      const token = await panel.token();
      await expectGematikEgkToken(token, server.url);
      await expectEgkRow(dashboard, token);
    });
  }

  test('Karte mitten im Ablauf gezogen → klare Meldung, kein Token; nächste Karte ohne Neuladen', async ({ dashboard, server }) => {
    const { card, panel } = await withFakeReader(dashboard, { reader: 'apdu' });
    const rowsBefore = await dashboard.page.locator('table.checkins tbody tr[data-checkin-id]').count();
    await panel.chooseUsbReader();
    await expect(panel.status()).toHaveText('Karte gesteckt');

    // Pulled at the first command under secure messaging: the trusted channel is up, the last round runs.
    let pulled = false;
    card.beforeApdu = async (apdu) => {
      if (pulled || (parseInt(apdu.slice(0, 2), 16) & 0x0c) !== 0x0c) return;
      pulled = true;
      await setCard(dashboard.page, false);
    };
    await panel.start();
    await expect(panel.error()).toHaveAttribute('data-code', 'CARD_REMOVED');
    await expect(panel.error()).toContainText('Die Karte wurde während des Vorgangs gezogen.');
    await expect(panel.error()).toContainText('Karte herausnehmen, wieder einstecken');
    await expect(panel.status()).toHaveText('Fehler');
    await expect(panel.root.getByTestId('card-result')).toHaveCount(0);
    expect(pulled).toBe(true);

    // The next card, same page: the old error goes, the check runs through.
    card.beforeApdu = undefined;
    card.insertNew();
    await setCard(dashboard.page, true);
    await expect(panel.status()).toHaveText('Karte gesteckt');
    await expect(panel.error()).toHaveCount(0);
    await panel.start();
    const token = await panel.token();
    await expectGematikEgkToken(token, server.url);
    await expectEgkRow(dashboard, token);
    // Exactly one new check-in: the pulled card left no record and no token behind.
    await expect(dashboard.page.locator('table.checkins tbody tr[data-checkin-id]')).toHaveCount(rowsBefore + 1);
  });

  test('Chipkarten-Klasse 0x0B über WebUSB: Sperre erklärt, Brücke angeboten', async ({ dashboard }) => {
    const { panel } = await withFakeReader(dashboard, { reader: 'apdu', interfaceClass: 0x0b });
    await panel.chooseUsbReader();
    await expect(panel.error()).toHaveAttribute('data-code', 'USB_PROTECTED_CLASS');
    await expect(panel.error()).toContainText('Chrome erlaubt Webseiten keinen direkten Zugriff auf Chipkartenleser (USB-Klasse 0x0B)');
    await expect(panel.error()).toContainText('„popp bridge“ auf diesem PC starten');
    await expect(panel.status()).toHaveText('Fehler');
    await panel.root.screenshot({ path: 'test-results/card-panel-protected-class.png' });
    await panel.root.getByRole('button', { name: 'Lokale Brücke verwenden' }).click();
    await expect(panel.path(/Lokale Brücke/)).toBeChecked();
    await expect(panel.root.getByLabel('Kopplungscode der Brücke')).toBeVisible();
    await expect(panel.error()).toHaveCount(0);
  });

  test('Lokale Brücke: Kopplung mit dem Code der Brücke, virtuelle Karte, Auto-Start beim Stecken', async ({ dashboard, server }) => {
    const backend = new VirtualBackend(SoftwareEgk.fromImageXml(xml!));
    const bridge = await startBridgeServer({ backend, port: server.bridgePort, allowedOrigins: [server.url], pairingCode: '482913' });
    try {
      await dashboard.open();
      const panel = new CardReaderPanel(dashboard.page);
      await expect(panel.path(/Lokale Brücke/)).toBeChecked();
      await expect(panel.pathOption('Lokale Brücke')).toContainText('empfohlen');

      await panel.pair('000 000');
      await expect(panel.error()).toHaveAttribute('data-code', 'BRIDGE_PAIRING_FAILED');
      await panel.pair('482 913');
      await expect(panel.root.getByTestId('bridge-paired')).toContainText('Code zur Kontrolle: 482 913');
      await expect(panel.root.getByLabel('Lesegerät an der Brücke')).toContainText('virtuell – nur Test');
      await expect(panel.status()).toHaveText('Karte gesteckt');
      await panel.start();
      const first = await panel.token();
      await expectGematikEgkToken(first, server.url);
      await expectEgkRow(dashboard, first);

      // Auto-start: pulling and inserting the next card is all staff do.
      await panel.root.getByLabel('Automatisch starten, sobald eine Karte gesteckt wird').check();
      backend.remove();
      await expect(panel.status()).toHaveText('Token erhalten');
      const rows = dashboard.page.locator('table.checkins tbody tr[data-checkin-id]');
      const before = await rows.count();
      backend.insert(SoftwareEgk.fromImageXml(xml!));
      await expect(rows).toHaveCount(before + 1, { timeout: 30_000 });
      const second = await panel.token();
      expect(second).not.toBe(first);
      await expectGematikEgkToken(second, server.url);
      await expectEgkRow(dashboard, second);
      await dashboard.page.screenshot({ path: 'test-results/card-panel-bridge.png', fullPage: true });
    } finally {
      await bridge.close();
    }
  });

  test('Virtueller Leser (Test): Testkarte stecken → Token', async ({ dashboard, server }) => {
    const panel = new CardReaderPanel(dashboard.page);
    await panel.path('Virtueller Leser (Test)').check();
    await expect(panel.status()).toHaveText('Bereit – bitte eGK einstecken');
    await panel.root.getByRole('button', { name: 'Testkarte einstecken' }).click();
    await expect(panel.status()).toHaveText('Karte gesteckt');
    await panel.start();
    const token = await panel.token();
    await expectGematikEgkToken(token, server.url);
    await panel.root.screenshot({ path: 'test-results/card-panel-virtual.png' });
  });
});
