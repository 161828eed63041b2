import { expect, type Locator, type Page } from '@playwright/test';

/** The dashboard's "Karte einlesen (eGK)" panel (German UI). */
export class CardReaderPanel {
  readonly root: Locator;

  constructor(readonly page: Page) {
    this.root = page.getByTestId('card-panel');
  }

  status(): Locator {
    return this.root.getByTestId('card-status');
  }

  path(name: string | RegExp): Locator {
    return this.root.getByRole('radio', { name });
  }

  /** The whole entry of a path in the picker: label, badge and the one-line reason. */
  pathOption(text: string): Locator {
    return this.root.locator('label.path-option', { hasText: text });
  }

  error(): Locator {
    return this.root.getByTestId('card-error');
  }

  async chooseUsbReader() {
    await this.root.getByRole('button', { name: 'USB-Lesegerät wählen …' }).click();
  }

  startButton(): Locator {
    return this.root.getByRole('button', { name: 'Prüfung starten' });
  }

  async start() {
    await this.startButton().click();
  }

  /** The line above the token: plain words and the time taken, no protocol rounds. */
  result(): Locator {
    return this.root.getByTestId('card-result');
  }

  /** The bridge path's notice while no paired bridge serves a reader ("nicht erreichbar", "neu gestartet"). */
  bridgeNotice(kind: 'down' | 'restarted' | 'reconnecting'): Locator {
    return this.root.getByTestId(`bridge-${kind}`);
  }

  /** Waits for the token and reveals it the way staff would. */
  async token(): Promise<string> {
    await expect(this.status()).toHaveText('Token erhalten', { timeout: 30_000 });
    await this.root.getByTestId('card-result').getByRole('button', { name: 'Token anzeigen' }).click();
    return (await this.root.getByTestId('popp-token').textContent()) ?? '';
  }

  async pair(code: string) {
    await this.root.getByLabel('Kopplungscode der Brücke').fill(code);
    await this.root.getByRole('button', { name: 'Koppeln' }).click();
  }
}
