import type { EcKeyPair } from '../../../../lib/card-crypto/port';
import type { CardCrypto } from '../../../../lib/card-crypto/port';
import type { Cvc } from '../../../card/cvc/cvc';
import type { SessionKeys } from '../../../card/elc';
import type { PreparedTrust, ServiceIdentity } from '../trust';

/** Settings of the card checks, resolved once per endpoint. */
export interface FlowSettings {
  objectSystemVersions: readonly string[];
  blockedProducts: readonly string[];
}

/**
 * What one session's steps share: the endpoint's trust and crypto, the service's
 * ephemeral key for this session, and what the card has told us so far. Dropped
 * as a whole when the session ends.
 */
export interface FlowContext {
  readonly crypto: CardCrypto;
  readonly trust: PreparedTrust;
  readonly settings: FlowSettings;
  now(): number;
  /** Generated at Start: GA step 2 goes out in scenario 1, before the card has answered anything. */
  readonly ephemeral: EcKeyPair;
  /** The service CVC identity the card is talking to (the first, unless the card cannot reach it). */
  service: ServiceIdentity;
  caCvc?: Cvc;
  eeCvc?: Cvc;
  /** Key references from LIST PUBLIC KEY. */
  cardKnows?: Uint8Array[];
  cardEphemeral?: Uint8Array;
  keys?: SessionKeys;
  chAut?: Uint8Array;
  identity?: { patientId: string; insurerId: string; holderName: string | null };
}
