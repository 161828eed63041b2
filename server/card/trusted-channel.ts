import { type CommandApdu, encodeCommand } from '../../lib/apdu/command';
import {
  AID,
  ALG_ID,
  SFI,
  generalAuthenticateStep1,
  generalAuthenticateStep2,
  listPublicKey,
  mseSetAt,
  mseSetDst,
  psoVerifyCertificate,
  readBinary,
  selectAid,
} from '../../lib/apdu/commands';
import { CardError } from '../../lib/apdu/errors';
import { EXPECTED_SW } from '../../lib/apdu/status-words';
import { curveForPointLength } from '../../lib/card-crypto/curves';
import type { CardCrypto, EcKeyPair } from '../../lib/card-crypto/port';
import { parseSingleTlv, parseTlvs } from '../../lib/tlv/tlv';
import type { Cvc } from './cvc/cvc';
import { type SessionKeys, deriveSessionKeys, serviceSharedSecret } from './elc';
import { SecureMessaging } from './sm/secure-messaging';

/** One step of a scenario: the APDU and the status words that let the client go on. */
export interface ScenarioStep {
  command: Uint8Array;
  expectedStatusWords: number[];
}

const step = (cmd: CommandApdu, sws: readonly number[], extended?: boolean): ScenarioStep => ({
  command: encodeCommand(cmd, { extended }),
  expectedStatusWords: [...sws],
});

/** Private key reference of PrK.eGK.AUT_CVC.E256 (egk-and-readers.md §1.1). */
export const EGK_AUT_CVC_KEY_REF = 0x09;

/** Seq 0 "open eGK": SELECT MF by AID, READ EF.Version2. */
export function buildOpenEgkSteps(): ScenarioStep[] {
  return [step(selectAid(AID.MF), EXPECTED_SW.selectFile), step(readBinary({ sfi: SFI.EF_VERSION2, ne: 256 }), EXPECTED_SW.readBinary)];
}

/** Seq 1 "read CVCs": sub-CA CVC, card CVC, LIST PUBLIC KEY. */
export function buildReadCvcSteps(): ScenarioStep[] {
  return [
    step(readBinary({ sfi: SFI.EF_C_CA_EGK_CS_E256, ne: 256 }), EXPECTED_SW.readBinary),
    step(readBinary({ sfi: SFI.EF_C_EGK_AUT_CVC_E256, ne: 256 }), EXPECTED_SW.readBinary),
    step(listPublicKey(), EXPECTED_SW.listPublicKey),
  ];
}

export interface PublicKeyEntry {
  /** B6 = certificate-verification (CA) key, A4 = authentication key. */
  usage: 'verification' | 'authentication';
  aid: Uint8Array | undefined;
  keyRef: Uint8Array;
}

/** Parses LIST PUBLIC KEY data: `E0 { 4F aid, B6|A4 { 83 ref } }*`. Anything else is LIST_PUBLIC_KEY_MALFORMED. */
export function parseListPublicKey(data: Uint8Array): PublicKeyEntry[] {
  try {
    return parseTlvs(data).map((e) => {
      if (e.tag !== 0xe0) throw new CardError('LIST_PUBLIC_KEY_MALFORMED', 'entry is not E0');
      const inner = parseTlvs(e.value);
      const aid = inner.find((t) => t.tag === 0x4f)?.value;
      const tmpl = inner.filter((t) => t.tag === 0xb6 || t.tag === 0xa4);
      if (tmpl.length !== 1 || inner.length !== (aid ? 2 : 1)) throw new CardError('LIST_PUBLIC_KEY_MALFORMED', 'entry layout');
      const ref = parseSingleTlv(tmpl[0].value, 0x83).value;
      if (ref.length === 0) throw new CardError('LIST_PUBLIC_KEY_MALFORMED', 'empty key reference');
      return { usage: tmpl[0].tag === 0xb6 ? 'verification' : 'authentication', aid, keyRef: ref } satisfies PublicKeyEntry;
    });
  } catch (e) {
    if (e instanceof CardError && e.code === 'LIST_PUBLIC_KEY_MALFORMED') throw e;
    throw new CardError('LIST_PUBLIC_KEY_MALFORMED', 'LIST PUBLIC KEY response does not parse', { cause: e });
  }
}

/**
 * Seq 2: MSE SET AT (key 09, elcSessionkey4SM), then MSE SET DST + PSO VERIFY CERTIFICATE for
 * each CVC the card lacks (top-down, see certificatesToImport), then GA step 1 naming the
 * service's end-entity CHR. `extended` uses extended length for GA 1 like the real-card trace.
 */
export function buildTrustedChannelSteps(p: { imports: Cvc[]; serviceChr: Uint8Array; extended?: boolean }): ScenarioStep[] {
  const out = [step(mseSetAt(EGK_AUT_CVC_KEY_REF, ALG_ID.ELC_SESSIONKEY_4SM), EXPECTED_SW.mseSetAt)];
  for (const c of p.imports) {
    out.push(step(mseSetDst(c.car), EXPECTED_SW.mseSetDst));
    out.push(step(psoVerifyCertificate(c.bodyAndSignature), EXPECTED_SW.psoVerifyCertificate));
  }
  out.push(step(generalAuthenticateStep1(p.serviceChr, { extended: p.extended }), EXPECTED_SW.generalAuthenticate, p.extended));
  return out;
}

/** The card's ephemeral public key from the GA step 1 response data `7C { 85 04‖X‖Y }`, checked on the curve. */
export function parseGa1Response(crypto: CardCrypto, data: Uint8Array): Uint8Array {
  let point: Uint8Array;
  try {
    const inner = parseTlvs(parseSingleTlv(data, 0x7c).value);
    if (inner.length !== 1 || inner[0].tag !== 0x85) throw new CardError('GA_MALFORMED', 'expected 7C { 85 }');
    point = inner[0].value;
  } catch (e) {
    throw new CardError('GA_MALFORMED', 'GENERAL AUTHENTICATE response does not parse', { cause: e });
  }
  const curve = curveForPointLength(point.length);
  if (!crypto.isValidPublicKey(curve, point)) throw new CardError('POINT_INVALID', 'card ephemeral key is not on the curve');
  return point;
}

/** GA step 2 with the service's ephemeral public key. */
export function buildGa2Step(serviceEphemeralPublic: Uint8Array): ScenarioStep {
  return step(generalAuthenticateStep2(serviceEphemeralPublic), EXPECTED_SW.generalAuthenticate);
}

/**
 * After GA step 1: the service's KD, session keys and a fresh SM session (SSC 0).
 * `cardStaticPublic` comes from the card's end-entity CVC (already chain-checked).
 */
export function establishTrustedChannel(
  crypto: CardCrypto,
  p: { serviceStaticPrivate: Uint8Array; serviceEphemeral: EcKeyPair; cardStaticPublic: Uint8Array; cardEphemeralPublic: Uint8Array },
): { keys: SessionKeys; sm: SecureMessaging } {
  const kd = serviceSharedSecret(crypto, {
    serviceEphemeralPrivate: p.serviceEphemeral.privateKey,
    serviceStaticPrivate: p.serviceStaticPrivate,
    cardStaticPublic: p.cardStaticPublic,
    cardEphemeralPublic: p.cardEphemeralPublic,
  });
  const keys = deriveSessionKeys(crypto, kd);
  return { keys, sm: new SecureMessaging(crypto, keys) };
}

/** Seq 3 reads under SM: SELECT DF.ESIGN, READ EF.C.CH.AUT.E256 (extended Le), wrapped as one batch. */
export function buildSecureReadChAutSteps(sm: SecureMessaging): ScenarioStep[] {
  const [sel, read] = sm.wrapCommands([selectAid(AID.DF_ESIGN), readBinary({ sfi: SFI.EF_C_CH_AUT_E256, ne: 65536 })]);
  return [
    { command: sel, expectedStatusWords: [...EXPECTED_SW.selectFile] },
    { command: read, expectedStatusWords: [...EXPECTED_SW.readBinary] },
  ];
}
