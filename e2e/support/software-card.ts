import { readFileSync } from 'node:fs';
import { expect } from '@playwright/test';
import { fromHex, toHex } from '../../lib/bytes/hex';
import { SoftwareEgk } from '../../server/egk';
import { interopAvailable, interopPath } from '../../server/testing/interop';
import { expectValidPoppToken } from './token';

/** gematik's test eGK image, or undefined (the spec skips; with CI=true interopAvailable() throws instead). */
export function gematikCardXml(): string | undefined {
  return interopAvailable() ? readFileSync(interopPath('card-image', 'IMG_eGK_G21_TU_root6.xml'), 'utf8') : undefined;
}

/**
 * The card in the fake reader's slot, on the Node side of page.exposeFunction:
 * a software eGK from gematik's image. `insertNew()` puts a fresh card in, as a
 * new patient's card would be (no state carried over from the last check).
 */
export class SoftwareCardSlot {
  egk: SoftwareEgk;
  apdus = 0;
  /** Runs before each APDU reaches the card (e.g. to pull the card mid-flow). */
  beforeApdu?: (apduHex: string) => Promise<void> | void;

  constructor(private readonly xml: string) {
    this.egk = SoftwareEgk.fromImageXml(xml);
  }

  get atr(): string {
    return toHex(SoftwareEgk.fromImageXml(this.xml).reset());
  }

  insertNew(): void {
    this.egk = SoftwareEgk.fromImageXml(this.xml);
  }

  readonly answer = async (apduHex: string): Promise<string> => {
    this.apdus++;
    await this.beforeApdu?.(apduHex);
    return toHex(this.egk.transmit(fromHex(apduHex)));
  };
}

/** The token of gematik's test eGK, checked like every token: signature against /jwks.json, schema, claims. */
export async function expectGematikEgkToken(token: string, serverUrl: string) {
  const claims = await expectValidPoppToken(token, serverUrl);
  expect(claims).toMatchObject({
    patientId: 'X110540756',
    insurerId: '109500969',
    proofMethod: 'ehc-practitioner-trustedchannel',
    actorId: '1-20014060625',
    actorProfessionOid: '1.2.276.0.76.4.50',
  });
  return claims;
}
