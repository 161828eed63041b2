import { encodeTlv } from '../tlv/tlv';
import { CardError } from './errors';
import { type CommandApdu, command, withChaining } from './command';

/**
 * Builders for the commands PoPP sends to an eGK G2.1 (gemSpec_COS numbers as cited
 * by lib-smartcards; bytes as in gematik's traces). Pure: they return CommandApdu
 * structs, `encodeCommand` turns them into bytes.
 */
export const INS = {
  SELECT: 0xa4,
  READ_BINARY: 0xb0,
  MSE: 0x22,
  PSO: 0x2a,
  GENERAL_AUTHENTICATE: 0x86,
  INTERNAL_AUTHENTICATE: 0x88,
  LIST_PUBLIC_KEY: 0xca,
  GET_RESPONSE: 0xc0,
} as const;

export const AID = {
  MF: Uint8Array.of(0xd2, 0x76, 0x00, 0x01, 0x44, 0x80, 0x00),
  DF_ESIGN: Uint8Array.of(0xa0, 0x00, 0x00, 0x01, 0x67, 0x45, 0x53, 0x49, 0x47, 0x4e),
  DF_HCA: Uint8Array.of(0xd2, 0x76, 0x00, 0x00, 0x01, 0x02),
} as const;

export const SFI = {
  EF_GDO: 0x02,
  EF_C_CH_AUT_E256: 0x04,
  EF_C_EGK_AUT_CVC_E256: 0x06,
  EF_C_CA_EGK_CS_E256: 0x07,
  EF_VERSION2: 0x11,
  EF_ATR: 0x1d,
} as const;

/** Algorithm identifiers of MSE SET (gemSpec_COS Tab.268, via lib-smartcards EafiCosAlgId). */
export const ALG_ID = {
  ELC_ROLE_AUTHENTICATION: 0x00,
  ELC_SESSIONKEY_4SM: 0x54,
} as const;

function checkRange(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new CardError('APDU_MALFORMED', `${name} out of range`, { details: { [name]: v, max } });
  }
}

/** SELECT MF without AID: `00 A4 04 0C` (trusted-channel trace). */
export function selectMf(): CommandApdu {
  return command(0x00, INS.SELECT, 0x04, 0x0c);
}

/** SELECT by AID; `fcp` asks for the FCP template (P2 04) instead of no response data (P2 0C). */
export function selectAid(aid: Uint8Array, opts: { fcp?: boolean; ne?: number } = {}): CommandApdu {
  if (aid.length < 1 || aid.length > 16) throw new CardError('APDU_MALFORMED', 'AID length 1..16', { details: { length: aid.length } });
  return opts.fcp ? command(0x00, INS.SELECT, 0x04, 0x04, aid, opts.ne ?? 65536) : command(0x00, INS.SELECT, 0x04, 0x0c, aid);
}

/** SELECT an EF under the current DF by FID (P1 02). */
export function selectEf(fid: number, opts: { fcp?: boolean; ne?: number } = {}): CommandApdu {
  checkRange('fid', fid, 0xffff);
  const data = Uint8Array.of(fid >> 8, fid & 0xff);
  return opts.fcp ? command(0x00, INS.SELECT, 0x02, 0x04, data, opts.ne ?? 65536) : command(0x00, INS.SELECT, 0x02, 0x0c, data);
}

/**
 * READ BINARY. With an SFI, P1 = 80|SFI and the offset fits P2 (≤ 255);
 * without, P1P2 is a 15-bit offset into the current EF.
 */
export function readBinary(opts: { sfi?: number; offset?: number; ne: number }): CommandApdu {
  const offset = opts.offset ?? 0;
  if (opts.sfi !== undefined) {
    checkRange('sfi', opts.sfi, 30);
    if (opts.sfi === 0) throw new CardError('APDU_MALFORMED', 'SFI 0 is not a file', { details: { sfi: 0 } });
    checkRange('offset', offset, 0xff);
    return command(0x00, INS.READ_BINARY, 0x80 | opts.sfi, offset, undefined, opts.ne);
  }
  checkRange('offset', offset, 0x7fff);
  return command(0x00, INS.READ_BINARY, offset >> 8, offset & 0xff, undefined, opts.ne);
}

/** LIST PUBLIC KEY `80 CA 01 00` with extended Le, as gematik's service sends it. */
export function listPublicKey(ne = 65536): CommandApdu {
  return command(0x80, INS.LIST_PUBLIC_KEY, 0x01, 0x00, undefined, ne);
}

/** MSE SET for authentication (AT): private key reference (84) and algorithm (80). */
export function mseSetAt(keyRef: number, algId: number): CommandApdu {
  checkRange('keyRef', keyRef, 0xff);
  checkRange('algId', algId, 0xff);
  return command(0x00, INS.MSE, 0x41, 0xa4, Uint8Array.of(0x84, 0x01, keyRef, 0x80, 0x01, algId));
}

/** MSE SET DST: selects the public key (by CAR) that verifies the next CVC. */
export function mseSetDst(keyReference: Uint8Array): CommandApdu {
  return command(0x00, INS.MSE, 0x81, 0xb6, encodeTlv(0x83, keyReference));
}

/** PSO VERIFY CERTIFICATE with the value of the CVC's 7F21 (7F4E body ‖ 5F37 signature). */
export function psoVerifyCertificate(bodyAndSignature: Uint8Array): CommandApdu {
  return command(0x00, INS.PSO, 0x00, 0xbe, bodyAndSignature);
}

/**
 * GENERAL AUTHENTICATE step 1 of the ELC trusted channel: chained (CLA 10),
 * `7C { C3 <CHR of the service's end-entity CVC> }`, answered with the card's
 * ephemeral key. Short Le 00 by default; the real-card trace uses extended.
 */
export function generalAuthenticateStep1(chr: Uint8Array, opts: { extended?: boolean } = {}): CommandApdu {
  return command(withChaining(0x00), INS.GENERAL_AUTHENTICATE, 0, 0, encodeTlv(0x7c, encodeTlv(0xc3, chr)), opts.extended ? 65536 : 256);
}

/** GENERAL AUTHENTICATE step 2: `7C { 85 <service ephemeral public key> }`, no Le. */
export function generalAuthenticateStep2(ephemeralPublicKey: Uint8Array): CommandApdu {
  return command(0x00, INS.GENERAL_AUTHENTICATE, 0, 0, encodeTlv(0x7c, encodeTlv(0x85, ephemeralPublicKey)));
}

/** INTERNAL AUTHENTICATE with a token (contactless PoPP flow signs it with PrK.eGK.AUT_CVC). */
export function internalAuthenticate(token: Uint8Array, ne = 256): CommandApdu {
  return command(0x00, INS.INTERNAL_AUTHENTICATE, 0, 0, token, ne);
}
