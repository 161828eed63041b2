import { encodeCommand } from '../../../../lib/apdu/command';
import { SFI, listPublicKey as listPublicKeyCommand, readBinary } from '../../../../lib/apdu/commands';
import { SW } from '../../../../lib/apdu/status-words';
import { readTlv } from '../../../../lib/tlv/tlv';
import { parseCvc } from '../../../card/cvc/cvc';
import { parseListPublicKey } from '../../../card/trusted-channel';
import { EhcError, type EhcErrorCode } from '../errors';
import type { PlannedStep } from '../flow-types';
import type { FlowContext } from './context';
import { READ_OK } from './open-egk';

const READ_CA_CVC = encodeCommand(readBinary({ sfi: SFI.EF_C_CA_EGK_CS_E256, ne: 256 }));
const READ_EE_CVC = encodeCommand(readBinary({ sfi: SFI.EF_C_EGK_AUT_CVC_E256, ne: 256 }));
const LIST_PUBLIC_KEY = encodeCommand(listPublicKeyCommand());

function cvcFrom(data: Uint8Array, code: EhcErrorCode) {
  try {
    // Only the first TLV: the file may hold more bytes than the certificate.
    return parseCvc(readTlv(data).raw);
  } catch (e) {
    throw new EhcError(code, 'card CVC does not parse', { cause: e });
  }
}

/** READ EF.C.CA_eGK.CS.E256 (SFI 07): the card's sub-CA CVC, checked against our roots after the scenario. */
export function readCaCvc(ctx: FlowContext): PlannedStep {
  return {
    id: 'read-ca-cvc',
    phase: 'read-cvc',
    command: READ_CA_CVC,
    expected: READ_OK,
    accept: (r) => void (ctx.caCvc = cvcFrom(r.data, 'card-ca-cvc-invalid')),
  };
}

/** READ EF.C.eGK.AUT_CVC.E256 (SFI 06): the card's end-entity CVC — its static key enters the session keys. */
export function readEeCvc(ctx: FlowContext): PlannedStep {
  return {
    id: 'read-ee-cvc',
    phase: 'read-cvc',
    command: READ_EE_CVC,
    expected: READ_OK,
    accept: (r) => void (ctx.eeCvc = cvcFrom(r.data, 'card-cvc-invalid')),
  };
}

/**
 * LIST PUBLIC KEY: the keys the card can verify with. Only needed when the speculative
 * import fails (6A88), but asked in scenario 1 because that costs no round trip.
 */
export function listPublicKey(ctx: FlowContext): PlannedStep {
  return {
    id: 'list-public-key',
    phase: 'read-cvc',
    command: LIST_PUBLIC_KEY,
    expected: [SW.NO_ERROR],
    accept(r) {
      try {
        ctx.cardKnows = parseListPublicKey(r.data).map((k) => k.keyRef);
      } catch {
        // Unparseable is not fatal unless the list is needed (then: no import path, 79509).
        ctx.cardKnows = [];
      }
    },
  };
}
