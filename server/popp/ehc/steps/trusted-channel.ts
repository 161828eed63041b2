import { encodeCommand } from '../../../../lib/apdu/command';
import {
  ALG_ID,
  generalAuthenticateStep1,
  generalAuthenticateStep2,
  mseSetAt as mseSetAtCommand,
  mseSetDst,
  psoVerifyCertificate,
} from '../../../../lib/apdu/commands';
import { SW } from '../../../../lib/apdu/status-words';
import type { Cvc } from '../../../card/cvc/cvc';
import { deriveSessionKeys, serviceSharedSecret } from '../../../card/elc';
import { parseGa1Response } from '../../../card/trusted-channel';
import { EhcError } from '../errors';
import type { PlannedStep } from '../flow-types';
import type { FlowContext } from './context';

/** PrK.eGK.AUT_CVC.E256 (key 09) for elcSessionkey4SM (54): the card's half of the trusted channel. */
const CARD_AUT_KEY = 0x09;
const MSE_SET_AT = encodeCommand(mseSetAtCommand(CARD_AUT_KEY, ALG_ID.ELC_SESSIONKEY_4SM));

/** Encoded once per certificate: the service's chain and links are the same for every session. */
const IMPORT = new WeakMap<Cvc, [Uint8Array, Uint8Array]>();
const GA1 = new WeakMap<Cvc, Uint8Array>();

export function mseSetAt(): PlannedStep {
  return {
    id: 'mse-set-at',
    phase: 'trusted-channel',
    command: MSE_SET_AT,
    expected: [SW.NO_ERROR],
  };
}

/**
 * MSE SET DST + PSO VERIFY CERTIFICATE for each CVC, top-down. With `speculative`, the
 * first MSE SET DST may answer 6A88 ("key not found": the card lacks that root): the
 * client stops there and the flow takes the path chosen from LIST PUBLIC KEY.
 */
export function importCvcs(cvcs: readonly Cvc[], opts: { speculative: boolean }): PlannedStep[] {
  return cvcs.flatMap((cvc, i): PlannedStep[] => {
    let cmds = IMPORT.get(cvc);
    if (!cmds) IMPORT.set(cvc, (cmds = [encodeCommand(mseSetDst(cvc.car)), encodeCommand(psoVerifyCertificate(cvc.bodyAndSignature))]));
    return [
      {
        id: 'mse-set-dst',
        phase: 'trusted-channel',
        command: cmds[0],
        expected: [SW.NO_ERROR],
        fallbackOn: opts.speculative && i === 0 ? SW.KEY_NOT_FOUND : undefined,
      },
      { id: 'pso-verify-certificate', phase: 'trusted-channel', command: cmds[1], expected: [SW.NO_ERROR] },
    ];
  });
}

function ga1Command(ee: Cvc): Uint8Array {
  let c = GA1.get(ee);
  if (!c) GA1.set(ee, (c = encodeCommand(generalAuthenticateStep1(ee.chr))));
  return c;
}

/** GA step 1 names the service's end-entity CVC; the card answers with its ephemeral key. */
export function gaStep1(ctx: FlowContext): PlannedStep {
  return {
    id: 'general-authenticate-1',
    phase: 'trusted-channel',
    command: ga1Command(ctx.service.ee),
    expected: [SW.NO_ERROR],
    accept(r) {
      try {
        ctx.cardEphemeral = parseGa1Response(ctx.crypto, r.data);
      } catch (e) {
        throw new EhcError('sm-invalid', 'GA step 1 answer is not an ephemeral key', { cause: e });
      }
    },
  };
}

/** GA step 2 carries our ephemeral key — known before the card answers, so it rides in the same scenario. */
export function gaStep2(ctx: FlowContext): PlannedStep {
  return {
    id: 'general-authenticate-2',
    phase: 'trusted-channel',
    command: encodeCommand(generalAuthenticateStep2(ctx.ephemeral.publicKey)),
    expected: [SW.NO_ERROR],
  };
}

/**
 * KD = ECDH(our ephemeral, card static from its CVC) ‖ ECDH(our static, card ephemeral).
 * Only a card holding the CVC's private key derives the same keys: the MACs of the next
 * scenario's answers prove it.
 */
export function deriveKeys(ctx: FlowContext): void {
  if (!ctx.eeCvc || !ctx.cardEphemeral) throw new EhcError('internal', 'trusted channel incomplete');
  try {
    const kd = serviceSharedSecret(ctx.crypto, {
      serviceEphemeralPrivate: ctx.ephemeral.privateKey,
      serviceStaticPrivate: ctx.service.key,
      cardStaticPublic: ctx.eeCvc.publicKey.point,
      cardEphemeralPublic: ctx.cardEphemeral,
    });
    ctx.keys = deriveSessionKeys(ctx.crypto, kd);
    kd.fill(0);
  } catch (e) {
    throw new EhcError('sm-invalid', 'no session keys from the card’s keys', { cause: e });
  }
}
