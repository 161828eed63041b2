import { isChained, parseCommand, type CommandApdu } from '../../lib/apdu/command';
import { encodeResponse, swOnly } from '../../lib/apdu/response';
import { SW } from '../../lib/apdu/status-words';
import { fromHex } from '../../lib/bytes/hex';
import type { CardCrypto, CurveName, EcKeyPair } from '../../lib/card-crypto/port';
import { cvcDateFromJs } from '../card/cvc/date';
import { nodeCardCrypto } from '../card/crypto-node';
import type { SecurityContext } from './access-rules';
import { generalAuthenticate } from './commands/general-authenticate';
import { internalAuthenticate } from './commands/internal-authenticate';
import { listPublicKey } from './commands/list-public-key';
import { mseSet } from './commands/mse';
import { pointInTimeOf, psoVerifyCertificate } from './commands/pso-verify-certificate';
import { readBinary } from './commands/read-binary';
import { select } from './commands/select';
import { type CardImage, loadCardImage } from './image';
import { buildParents } from './lookup';
import type { CardState, ImportedKey, Incoming, Reply } from './state';

export interface SoftwareEgkOptions {
  /** Crypto backend (default node:crypto). */
  crypto?: CardCrypto;
  /** Source of GENERAL AUTHENTICATE ephemeral keys; tests fix them to replay vectors. */
  ephemeralKeyPair?: (curve: CurveName) => EcKeyPair;
  /**
   * 'by-rule' (default): response data under SM is encrypted (DO 87) only when the access
   * rule demands SMRSPENC, otherwise sent as DO 81 — so the contact-interface read of
   * CH.AUT (rule ALW) comes back MACed but in clear. 'always' encrypts all response data.
   */
  responseEncryption?: 'by-rule' | 'always';
}

/** ATR of a G2 eGK (egk-and-readers.md §1.6), used when an image carries none. */
const DEFAULT_ATR = fromHex('3BD396FF81B1FE451F078081052D');

type Handler = (s: CardState, i: Incoming) => Reply;

/** Dispatch table: INS (and CLA class) → handler. GET RESPONSE has nothing to return over T=1. */
const HANDLERS: Record<string, Handler> = {
  '00a4': select,
  '00b0': readBinary,
  '0022': mseSet,
  '002a': psoVerifyCertificate,
  '0086': generalAuthenticate,
  '0088': internalAuthenticate,
  '80ca': listPublicKey,
  '00c0': () => ({ sw: SW.CONDITIONS_NOT_SATISFIED }),
};

/**
 * A software eGK G2.1 built from gematik's card-image XML. It answers the commands PoPP
 * needs under the image's contact-interface access rules, with real CVC verification, ELC
 * key agreement and secure messaging. Synchronous: one APDU in, one response APDU out.
 */
export class SoftwareEgk {
  private readonly state: CardState;
  private readonly atr: Uint8Array;
  private readonly responseEncryption: 'by-rule' | 'always';

  private constructor(
    readonly image: CardImage,
    opts: SoftwareEgkOptions,
  ) {
    const crypto = opts.crypto ?? nodeCardCrypto;
    this.atr = image.coldAtr ?? DEFAULT_ATR;
    this.responseEncryption = opts.responseEncryption ?? 'by-rule';
    this.state = {
      image,
      crypto,
      parents: buildParents(image.mf),
      newEphemeralKeyPair: opts.ephemeralKeyPair ?? ((curve) => crypto.generateKeyPair(curve)),
      currentDf: image.mf,
      se: 1,
      importedKeys: new Map<string, ImportedKey>(),
      pointInTime: pointInTimeOf(image.pointInTime, cvcDateFromJs(new Date(Date.UTC(2020, 0, 1)))),
      authenticatedChats: [],
    };
  }

  static fromImageXml(xml: string, opts: SoftwareEgkOptions = {}): SoftwareEgk {
    return new SoftwareEgk(loadCardImage(xml), opts);
  }

  static fromImage(image: CardImage, opts: SoftwareEgkOptions = {}): SoftwareEgk {
    return new SoftwareEgk(image, opts);
  }

  /** Cold reset: volatile state (selection, SE, trusted channel) is lost; imported keys and the point in time stay. */
  reset(): Uint8Array {
    const s = this.state;
    s.currentDf = s.image.mf;
    s.currentEf = undefined;
    s.at = undefined;
    s.dst = undefined;
    s.ga = undefined;
    s.sm?.session.close();
    s.sm = undefined;
    s.authenticatedChats = [];
    return this.atr.slice();
  }

  /** The card's current notion of today (YYYY-MM-DD), for tests of CVC expiry handling. */
  get pointInTime(): string {
    const d = this.state.pointInTime;
    return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
  }

  get secureMessagingActive(): boolean {
    return this.state.sm !== undefined;
  }

  transmit(apdu: Uint8Array): Uint8Array {
    try {
      return this.process(apdu);
    } catch {
      // A bug in a handler must look like a card error, never crash the caller.
      this.state.sm = undefined;
      return swOnly(SW.UNKNOWN_ERROR);
    }
  }

  private process(apdu: Uint8Array): Uint8Array {
    const s = this.state;
    let plain;
    try {
      plain = parseCommand(apdu);
    } catch {
      return swOnly(SW.WRONG_LENGTH);
    }
    const interindustry = (plain.cla & 0x80) === 0;
    if (plain.cla === 0xff || (!interindustry && plain.cla !== 0x80)) return swOnly(SW.CLA_NOT_SUPPORTED);
    const protectedCmd = interindustry && (plain.cla & 0x0c) === 0x0c;
    const session = s.sm?.session;
    let cmd: CommandApdu;
    let security: SecurityContext;
    if (protectedCmd) {
      if (!session || !s.sm) return swOnly(SW.SM_NOT_SUPPORTED);
      try {
        const u = session.unwrapCommand(apdu);
        cmd = u;
        security = this.security(true, u.encrypted || u.data.length === 0);
      } catch {
        // Wrong MAC, padding or layout: answer in clear and drop the session keys.
        s.sm = undefined;
        return swOnly(SW.SM_DATA_INCORRECT);
      }
    } else {
      // A command in clear ends the trusted channel [inference from gemSpec_COS session-key handling].
      if (session) {
        session.close();
        s.sm = undefined;
      }
      cmd = plain;
      security = this.security(false, false);
    }
    let r: Reply;
    const handler = HANDLERS[(cmd.cla & 0x80 ? '80' : '00') + cmd.ins.toString(16).padStart(2, '0')];
    if (!handler) r = { sw: SW.INS_NOT_SUPPORTED };
    else if (isChained(cmd.cla) && cmd.ins !== 0x86) r = { sw: SW.COMMAND_CHAINING_NOT_SUPPORTED };
    else r = handler(s, { cmd, security });
    const data = r.data ?? new Uint8Array(0);
    if (protectedCmd && session) {
      return session.wrapResponse(data, r.sw, { encrypt: this.responseEncryption === 'always' || r.encryptResponse === true });
    }
    return encodeResponse(data, r.sw);
  }

  private security(sm: boolean, encrypted: boolean): SecurityContext {
    const s = this.state;
    return {
      secureMessaging: sm,
      commandEncrypted: encrypted,
      sessionChat: sm ? s.sm?.chat : undefined,
      authenticatedChats: s.authenticatedChats,
      verifiedPasswords: new Set<number>(),
    };
  }
}
