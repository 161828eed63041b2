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
// Skipped only on a plain clone without gematik's material: interopAvailable() throws when CI=true.
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
      await expect(panel.startButton()).toBeDisabled();

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

  test('Lokale Brücke: Kopplung mit dem Code der Brücke, virtuelle Karte, Auto-Start beim Stecken; Brücke gestoppt und neu gestartet', async ({ dashboard, server }) => {
    const backend = new VirtualBackend(SoftwareEgk.fromImageXml(xml!));
    let bridge = await startBridgeServer({ backend, port: server.bridgePort, allowedOrigins: [server.url], pairingCode: '482913' });
    let running = true;
    try {
      await dashboard.open();
      const panel = new CardReaderPanel(dashboard.page);
      await expect(panel.path(/Lokale Brücke/)).toBeChecked();
      await expect(panel.pathOption('Lokale Brücke')).toContainText('empfohlen');
      // The bridge answers with a card inserted, but this page is not paired yet.
      await expect(panel.status()).toHaveText('Brücke gefunden – bitte koppeln');
      await expect(panel.startButton()).toBeDisabled();
      await panel.root.screenshot({ path: 'test-results/card-panel-bridge-pair.png' });

      await panel.pair('000 000');
      await expect(panel.error()).toHaveAttribute('data-code', 'BRIDGE_PAIRING_FAILED');
      await panel.pair('482 913');
      await expect(panel.root.getByTestId('bridge-paired')).toContainText('Code zur Kontrolle: 482 913');
      // The bridge's virtual reader says what it is once, not "(… nur Test/Demo) (virtuell – nur Test)".
      await expect(panel.root.getByLabel('Lesegerät an der Brücke')).toHaveText('Virtuelles Lesegerät (Software-eGK, nur Test/Demo)');
      await expect(panel.status()).toHaveText('Karte gesteckt');
      await panel.start();
      const first = await panel.token();
      await expect(panel.result()).toContainText(/Token erhalten in \d+,\d s/);
      await expect(panel.result()).not.toContainText('Durchgänge');
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

      // The bridge stops while idle: the last token goes, and after the reconnect attempts the panel says what to do.
      running = false;
      await bridge.close();
      await expect(panel.result()).toHaveCount(0);
      await expect(panel.status()).toHaveText('Brücke nicht erreichbar', { timeout: 20_000 });
      await expect(panel.bridgeNotice('down')).toContainText('„npx popp bridge“ starten');
      await expect(panel.startButton()).toBeDisabled();
      await panel.root.screenshot({ path: 'test-results/card-panel-bridge-down.png' });

      // Started again (a new process, a new code): found without a click, and the lost pairing is named.
      bridge = await startBridgeServer({ backend, port: server.bridgePort, allowedOrigins: [server.url], pairingCode: '135790' });
      running = true;
      await expect(panel.status()).toHaveText('Brücke neu gestartet – bitte erneut koppeln', { timeout: 15_000 });
      await expect(panel.bridgeNotice('restarted')).toBeVisible();
      await panel.root.screenshot({ path: 'test-results/card-panel-bridge-restarted.png' });
      await panel.pair('135 790');
      await expect(panel.root.getByTestId('bridge-paired')).toContainText('Code zur Kontrolle: 135 790');
      await expect(panel.bridgeNotice('restarted')).toHaveCount(0);
    } finally {
      if (running) await bridge.close();
    }
  });

  test('Lokale Brücke stoppt mitten in der Prüfung → Abbruch gemeldet, nach den Wiederverbindungsversuchen „Brücke nicht erreichbar“', async ({ dashboard, server }) => {
    const egk = SoftwareEgk.fromImageXml(xml!);
    let apdus = 0;
    let stopped: Promise<void> | undefined;
    const backend = new VirtualBackend({
      reset: () => egk.reset(),
      transmit: (apdu) => {
        // A few commands into the check the bridge process ends.
        if (++apdus === 4) stopped = bridge.close();
        return egk.transmit(apdu);
      },
    });
    const bridge = await startBridgeServer({ backend, port: server.bridgePort, allowedOrigins: [server.url], pairingCode: '246810' });
    try {
      await dashboard.open();
      const panel = new CardReaderPanel(dashboard.page);
      await panel.pair('246 810');
      await expect(panel.status()).toHaveText('Karte gesteckt');
      await panel.start();
      await expect(panel.error()).toHaveAttribute('data-code', 'BRIDGE_CLOSED');
      await expect(panel.error()).toContainText('Die Verbindung zur Brücke wurde unterbrochen');
      await expect(panel.error()).not.toContainText('automatisch wiederhergestellt');
      await expect(panel.status()).not.toHaveText('Fehler');
      await expect(panel.status()).toHaveText('Brücke nicht erreichbar', { timeout: 20_000 });
      await expect(panel.error()).toHaveCount(0);
      await expect(panel.bridgeNotice('reconnecting')).toHaveCount(0);
      await expect(panel.bridgeNotice('down')).toContainText('„npx popp bridge“ starten, dann „Erneut suchen“');
      await expect(panel.root.getByRole('button', { name: 'Erneut suchen' }).first()).toBeVisible();
      expect(stopped).toBeDefined();
    } finally {
      await (stopped ?? bridge.close());
    }
  });

  test('Virtueller Leser (Test): Testkarte stecken → Token', async ({ dashboard, server }) => {
    const panel = new CardReaderPanel(dashboard.page);
    await panel.path('Virtueller Leser (Test)').check();
    await expect(panel.status()).toHaveText('Bereit – bitte eGK einstecken');
    // No card in the reader: nothing to check yet.
    await expect(panel.startButton()).toBeDisabled();
    await expect(panel.root.getByTestId('card-path-in-use')).toHaveText('Verwendet: Virtueller Leser (Test) · Virtuelles Lesegerät (Software-eGK, nur Test/Demo)');
    await panel.root.getByRole('button', { name: 'Testkarte einstecken' }).click();
    await expect(panel.status()).toHaveText('Karte gesteckt');
    await panel.start();
    const token = await panel.token();
    await expectGematikEgkToken(token, server.url);
    await expect(panel.result()).toContainText(/Token erhalten in \d+,\d s/);
    await expect(panel.result()).not.toContainText('Durchgänge');
    await panel.root.screenshot({ path: 'test-results/card-panel-virtual.png' });

    // English is complete: the reader's name and the Web Smart Card API line too.
    await dashboard.page.getByRole('button', { name: 'English' }).click();
    await expect(panel.root.getByTestId('card-path-in-use')).toHaveText('In use: Virtual reader (test/demo only) · Virtual reader (software eGK, test/demo only)');
    await expect(panel.root.getByTestId('path-hidden-smartcard-api')).toContainText('Web Smart Card API not available');
    await expect(panel.result()).toContainText(/token received in \d+\.\d s/);
    await panel.root.screenshot({ path: 'test-results/card-panel-virtual-en.png' });
  });
});
