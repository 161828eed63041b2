import type { CommandApdu } from '../../lib/apdu/command';
import type { CardCrypto, CurveName, EcKeyPair } from '../../lib/card-crypto/port';
import type { CvcDate } from '../card/cvc/date';
import type { CvcRole } from '../card/cvc/cvc';
import type { SecureMessaging } from '../card/sm/secure-messaging';
import type { SecurityContext } from './access-rules';
import type { CardImage, CardObject, DfNode, EfNode, PrivateElcKeyNode, PublicElcKeyNode } from './image';

/** A public key imported with PSO VERIFY CERTIFICATE. */
export interface ImportedKey {
  chr: Uint8Array;
  point: Uint8Array;
  curve: CurveName;
  chat: { oid: string; flags: Uint8Array };
  role: CvcRole;
  expirationDate: CvcDate;
}

export type VerificationKey =
  | { kind: 'persistent'; node: PublicElcKeyNode }
  | { kind: 'imported'; key: ImportedKey };

/** Everything a command handler may read or change. Volatile unless noted. */
export interface CardState {
  readonly image: CardImage;
  readonly crypto: CardCrypto;
  readonly parents: Map<CardObject, DfNode>;
  readonly newEphemeralKeyPair: (curve: CurveName) => EcKeyPair;
  currentDf: DfNode;
  currentEf?: EfNode;
  /** Security environment; the eGK uses SE 1 only. */
  se: number;
  /** MSE SET AT: selected private key and algorithm. */
  at?: { key: PrivateElcKeyNode; algId: number };
  /** MSE SET DST: reference of the key that verifies the next CVC. */
  dst?: Uint8Array;
  /** Keys imported by PSO VERIFY CERTIFICATE; kept across reset like the card's key cache. */
  readonly importedKeys: Map<string, ImportedKey>;
  /** The card's notion of today (advanced by newer CVC effective dates); kept across reset. */
  pointInTime: CvcDate;
  /** GA step 1 done: the peer's imported key and our ephemeral key pair. */
  ga?: { peer: ImportedKey; ephemeral: EcKeyPair };
  /** Established trusted channel (GA step 2). */
  sm?: { session: SecureMessaging; chat: { oid: string; flags: Uint8Array } };
  authenticatedChats: { oid: string; flags: Uint8Array }[];
}

/** One command as handlers see it: SM already removed. */
export interface Incoming {
  cmd: CommandApdu;
  security: SecurityContext;
}

export interface Reply {
  data?: Uint8Array;
  sw: number;
  /** Encrypt the response data under SM (access rule asked for SMRSPENC). */
  encryptResponse?: boolean;
}

export const reply = (sw: number, data?: Uint8Array, encryptResponse?: boolean): Reply => ({ sw, data, encryptResponse });
