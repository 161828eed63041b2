import { type CommandApdu, encodeCommand, NE_MAX_EXTENDED, NE_MAX_SHORT, parseCommand } from '../../../lib/apdu/command';
import { CardError } from '../../../lib/apdu/errors';
import { encodeResponse, parseResponse } from '../../../lib/apdu/response';
import { bigintToBytes, concat, constantTimeEqual } from '../../../lib/bytes/bytes';
import { aesCmac } from '../../../lib/card-crypto/cmac';
import type { CardCrypto } from '../../../lib/card-crypto/port';
import { encodeTlv, parseTlvs, type Tlv } from '../../../lib/tlv/tlv';
import type { SessionKeys } from '../elc';
import { pad80, unpad80 } from './padding';

/** A command as the card sees it after removing secure messaging. */
export interface UnwrappedCommand extends CommandApdu {
  /** Whether the data came encrypted (DO 87) — what access rule SMCMDENC asks for. */
  encrypted: boolean;
  extended: boolean;
}

export interface UnwrappedResponse {
  data: Uint8Array;
  sw: number;
  /** False only for a bare error status the card sent outside SM (e.g. 6987/6988): not authenticated. */
  authenticated: boolean;
  encrypted: boolean;
}

const MAC_LENGTH = 8;

export interface WrapOptions {
  /** Force extended length for the inner command (and thus the outer one). */
  extended?: boolean;
  /** Send command data in clear (DO 81) instead of encrypted (DO 87). */
  plain?: boolean;
}

/**
 * pad80(header) ‖ DOs, padded once more only when there are DOs: a command with
 * neither data nor Le (SELECT MF in read-certs.jsonl) MACs over the padded header alone.
 */
function commandMacInput(header: Uint8Array, dataDo: Uint8Array, leDo: Uint8Array): Uint8Array {
  const h = pad80(header);
  return dataDo.length + leDo.length === 0 ? h : pad80(concat(h, dataDo, leDo));
}

/**
 * Secure messaging of the eGK trusted channel and of PACE (ISO 7816-4 §6; gemSpec_COS
 * §13, as implemented in lib-smartcards SecureMessagingConverterSoftware and checked
 * against a real card in OpenHealth-Core's `read-certs.jsonl`):
 * - one 16-byte send sequence counter, incremented before every command and every response;
 * - data: DO 87 = 01 ‖ AES-CBC(Kenc, IV = AES(Kenc, SSC), pad80(data)), or DO 81 in clear;
 * - Le: DO 97 (1 byte short, 2 bytes extended);
 * - MAC: DO 8E = AES-CMAC(Kmac, SSC ‖ pad80(CLA' INS P1 P2) ‖ DOs)[0..8]
 *   (responses: SSC ‖ DO 81/87 ‖ DO 99); the CMAC itself pads the last block.
 * One object serves either side: the service calls wrapCommand/unwrapResponse, a
 * (software) card unwrapCommand/wrapResponse. Any MAC or layout failure closes it.
 */
export class SecureMessaging {
  private ssc: bigint;
  private closed = false;
  private pending: Uint8Array[] = [];

  constructor(
    private readonly crypto: CardCrypto,
    private readonly keys: SessionKeys,
    ssc: bigint = 0n,
  ) {
    if (keys.kenc.length !== 16 || keys.kmac.length !== 16) {
      throw new CardError('KEY_INVALID', 'session keys must be AES-128', { details: { kenc: keys.kenc.length, kmac: keys.kmac.length } });
    }
    this.ssc = ssc;
  }

  get sendSequenceCounter(): bigint {
    return this.ssc;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(): void {
    this.closed = true;
  }

  private next(): Uint8Array {
    if (this.closed) throw new CardError('SM_SESSION_CLOSED', 'secure messaging session is closed');
    this.ssc = (this.ssc + 1n) & ((1n << 128n) - 1n);
    return bigintToBytes(this.ssc, 16);
  }

  private mac(ssc: Uint8Array, input: Uint8Array): Uint8Array {
    return aesCmac(this.crypto, this.keys.kmac, concat(ssc, input), MAC_LENGTH);
  }

  private iv(ssc: Uint8Array): Uint8Array {
    return this.crypto.aesEncryptBlock(this.keys.kenc, ssc);
  }

  private encryptDo(ssc: Uint8Array, data: Uint8Array): Uint8Array {
    const c = this.crypto.aesCbcEncrypt(this.keys.kenc, this.iv(ssc), pad80(data));
    return encodeTlv(0x87, Uint8Array.of(0x01), c);
  }

  private decryptDo(ssc: Uint8Array, value: Uint8Array): Uint8Array {
    if (value.length < 17 || value[0] !== 0x01 || (value.length - 1) % 16 !== 0) {
      throw new CardError('SM_PADDING_INVALID', 'DO 87 needs padding indicator 01 and whole blocks', { details: { length: value.length } });
    }
    return unpad80(this.crypto.aesCbcDecrypt(this.keys.kenc, this.iv(ssc), value.slice(1)));
  }

  private fail(code: 'SM_MALFORMED' | 'SM_MAC_INVALID' | 'SM_PADDING_INVALID', message: string, cause?: unknown): never {
    this.closed = true;
    throw new CardError(code, message, { cause });
  }

  /** Service side: protects one command. `plain` sends data as DO 81 instead of encrypting. */
  wrapCommand(cmd: CommandApdu, opts: WrapOptions = {}): Uint8Array {
    return this.wrapAt(this.next(), cmd, opts);
  }

  /**
   * Service side, for a batch sent in one scenario (e.g. SELECT DF.ESIGN + READ CH.AUT):
   * command i uses SSC+2i+1, its response SSC+2i+2 — what the card will count. Responses
   * are then checked with unwrapResponses, in the same order.
   */
  wrapCommands(cmds: CommandApdu[], opts: WrapOptions = {}): Uint8Array[] {
    const out: Uint8Array[] = [];
    const pending: Uint8Array[] = [];
    for (const c of cmds) {
      out.push(this.wrapAt(this.next(), c, opts));
      pending.push(this.next());
    }
    this.pending = pending;
    return out;
  }

  /** Checks the responses to the last wrapCommands batch (fewer are fine: the client stops at a mismatch). */
  unwrapResponses(responses: Uint8Array[]): UnwrappedResponse[] {
    if (responses.length > this.pending.length) {
      this.closed = true;
      throw new CardError('SM_MALFORMED', 'more responses than protected commands', { details: { responses: responses.length } });
    }
    const sscs = this.pending;
    this.pending = [];
    return responses.map((r, i) => this.unwrapAt(sscs[i], r));
  }

  private wrapAt(ssc: Uint8Array, cmd: CommandApdu, opts: WrapOptions): Uint8Array {
    const innerExtended = opts.extended === true || cmd.data.length > 255 || (cmd.ne !== undefined && cmd.ne > NE_MAX_SHORT);
    const cla = cmd.cla | 0x0c;
    const header = Uint8Array.of(cla, cmd.ins, cmd.p1, cmd.p2);
    const dataDo = cmd.data.length === 0 ? new Uint8Array(0) : opts.plain ? encodeTlv(0x81, cmd.data) : this.encryptDo(ssc, cmd.data);
    let leDo: Uint8Array = new Uint8Array(0);
    if (cmd.ne !== undefined) {
      if (innerExtended) {
        const v = cmd.ne === NE_MAX_EXTENDED ? 0 : cmd.ne;
        leDo = encodeTlv(0x97, Uint8Array.of(v >> 8, v & 0xff));
      } else {
        leDo = encodeTlv(0x97, Uint8Array.of(cmd.ne === NE_MAX_SHORT ? 0 : cmd.ne));
      }
    }
    const macInput = commandMacInput(header, dataDo, leDo);
    const macDo = encodeTlv(0x8e, this.mac(ssc, macInput));
    const body = concat(dataDo, leDo, macDo);
    return encodeCommand(
      { cla, ins: cmd.ins, p1: cmd.p1, p2: cmd.p2, data: body, ne: innerExtended ? NE_MAX_EXTENDED : NE_MAX_SHORT },
      { extended: innerExtended },
    );
  }

  /** Service side: verifies and decrypts one response. Never returns unauthenticated data. */
  unwrapResponse(response: Uint8Array): UnwrappedResponse {
    return this.unwrapAt(this.next(), response);
  }

  private unwrapAt(ssc: Uint8Array, response: Uint8Array): UnwrappedResponse {
    if (this.closed) throw new CardError('SM_SESSION_CLOSED', 'secure messaging session is closed');
    const { data, sw } = parseResponse(response);
    if (data.length === 0) {
      // The card answers SM errors (6987, 6988) in clear and drops its keys; so do we.
      this.closed = true;
      if (sw === 0x9000) throw new CardError('SM_MALFORMED', 'response without secure-messaging objects');
      return { data, sw, authenticated: false, encrypted: false };
    }
    let dos: Tlv[];
    try {
      dos = parseTlvs(data);
    } catch (e) {
      return this.fail('SM_MALFORMED', 'response data objects do not parse', e);
    }
    let i = 0;
    const dataDo = dos[i]?.tag === 0x81 || dos[i]?.tag === 0x87 ? dos[i++] : undefined;
    const swDo = dos[i]?.tag === 0x99 ? dos[i++] : undefined;
    const macDo = dos[i]?.tag === 0x8e ? dos[i++] : undefined;
    if (!swDo || !macDo || i !== dos.length || swDo.value.length !== 2 || macDo.value.length !== MAC_LENGTH) {
      return this.fail('SM_MALFORMED', 'response must be [81|87] 99 8E');
    }
    const macInput = pad80(concat(dataDo?.raw ?? new Uint8Array(0), swDo.raw));
    if (!constantTimeEqual(this.mac(ssc, macInput), macDo.value)) return this.fail('SM_MAC_INVALID', 'response MAC does not verify');
    let plain: Uint8Array = new Uint8Array(0);
    if (dataDo?.tag === 0x81) plain = dataDo.value;
    else if (dataDo) {
      try {
        plain = this.decryptDo(ssc, dataDo.value);
      } catch (e) {
        return this.fail('SM_PADDING_INVALID', 'response cryptogram does not decrypt', e);
      }
    }
    return { data: plain, sw: (swDo.value[0] << 8) | swDo.value[1], authenticated: true, encrypted: dataDo?.tag === 0x87 };
  }

  /** Card side: checks and removes SM from one command. Errors mean 6987/6988 and a closed session. */
  unwrapCommand(bytes: Uint8Array): UnwrappedCommand {
    const ssc = this.next();
    let cmd;
    try {
      cmd = parseCommand(bytes);
    } catch (e) {
      return this.fail('SM_MALFORMED', 'command APDU malformed', e);
    }
    if ((cmd.cla & 0x0c) !== 0x0c) return this.fail('SM_MALFORMED', 'CLA does not indicate secure messaging');
    let dos: Tlv[];
    try {
      dos = parseTlvs(cmd.data);
    } catch (e) {
      return this.fail('SM_MALFORMED', 'command data objects do not parse', e);
    }
    let i = 0;
    const dataDo = dos[i]?.tag === 0x81 || dos[i]?.tag === 0x87 ? dos[i++] : undefined;
    const leDo = dos[i]?.tag === 0x97 ? dos[i++] : undefined;
    const macDo = dos[i]?.tag === 0x8e ? dos[i++] : undefined;
    if (!macDo || i !== dos.length || macDo.value.length !== MAC_LENGTH || (leDo && leDo.value.length > 2)) {
      return this.fail('SM_MALFORMED', 'command must be [81|87] [97] 8E');
    }
    const header = Uint8Array.of(cmd.cla, cmd.ins, cmd.p1, cmd.p2);
    const macInput = commandMacInput(header, dataDo?.raw ?? new Uint8Array(0), leDo?.raw ?? new Uint8Array(0));
    if (!constantTimeEqual(this.mac(ssc, macInput), macDo.value)) return this.fail('SM_MAC_INVALID', 'command MAC does not verify');
    let data: Uint8Array = new Uint8Array(0);
    if (dataDo?.tag === 0x81) data = dataDo.value;
    else if (dataDo) {
      try {
        data = this.decryptDo(ssc, dataDo.value);
      } catch (e) {
        return this.fail('SM_PADDING_INVALID', 'command cryptogram does not decrypt', e);
      }
    }
    let ne: number | undefined;
    if (leDo) {
      const v = leDo.value;
      ne = v.length === 0 ? undefined : v.length === 1 ? v[0] || NE_MAX_SHORT : (v[0] << 8 | v[1]) || NE_MAX_EXTENDED;
    }
    return {
      cla: cmd.cla & ~0x0c,
      ins: cmd.ins,
      p1: cmd.p1,
      p2: cmd.p2,
      data,
      ne,
      encrypted: dataDo?.tag === 0x87,
      extended: cmd.extended,
    };
  }

  /** Card side: protects one response; `encrypt` chooses DO 87 (SMRSPENC) over DO 81. */
  wrapResponse(data: Uint8Array, sw: number, opts: { encrypt: boolean }): Uint8Array {
    const ssc = this.next();
    const dataDo = data.length === 0 ? new Uint8Array(0) : opts.encrypt ? this.encryptDo(ssc, data) : encodeTlv(0x81, data);
    const swDo = encodeTlv(0x99, Uint8Array.of(sw >> 8, sw & 0xff));
    const mac = this.mac(ssc, pad80(concat(dataDo, swDo)));
    return encodeResponse(concat(dataDo, swDo, encodeTlv(0x8e, mac)), sw);
  }
}
