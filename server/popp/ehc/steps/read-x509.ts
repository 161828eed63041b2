import { AID, SFI, readBinary, selectAid } from '../../../../lib/apdu/commands';
import type { ResponseApdu } from '../../../../lib/apdu/response';
import { SW } from '../../../../lib/apdu/status-words';
import { encodeResponse } from '../../../../lib/apdu/response';
import { readTlv } from '../../../../lib/tlv/tlv';
import { SecureMessaging } from '../../../card/sm/secure-messaging';
import { EhcError } from '../errors';
import type { PlannedStep } from '../flow-types';
import type { FlowContext } from './context';
import { READ_OK } from './open-egk';

/** Under SM the card answers our MAC failures in clear with these; that is a failed authentication, not a read error. */
const SM_REFUSED = { [SW.SM_DATA_MISSING]: 'sm-invalid', [SW.SM_DATA_INCORRECT]: 'sm-invalid' } as const;

/**
 * Both commands are wrapped before the card answers either, so each gets its own
 * counter position: command n uses SSC 2n−1, its response SSC 2n. Every response MAC
 * is verified and only the authenticated status word (DO 99) counts.
 */
function smStep(
  ctx: FlowContext,
  id: string,
  index: number,
  command: Parameters<SecureMessaging['wrapCommand']>[0],
  opts: { extended: boolean; expected: readonly number[]; use?: (data: Uint8Array) => void },
): PlannedStep {
  const { expected, use } = opts;
  const keys = ctx.keys;
  if (!keys) throw new EhcError('internal', 'no session keys');
  const base = BigInt(2 * index);
  const wrapped = new SecureMessaging(ctx.crypto, keys, base).wrapCommand(command, { extended: opts.extended });
  return {
    id,
    phase: 'read-x509',
    command: wrapped,
    expected,
    errorOn: SM_REFUSED,
    accept(r: ResponseApdu) {
      let inner;
      try {
        inner = new SecureMessaging(ctx.crypto, keys, base + 1n).unwrapResponse(encodeResponse(r.data, r.sw));
      } catch (e) {
        throw new EhcError('sm-invalid', 'secure-messaging response does not verify', { cause: e });
      }
      if (!inner.authenticated) throw new EhcError('sm-invalid', 'response outside secure messaging');
      if (!expected.includes(inner.sw)) {
        throw new EhcError('sw-read-x509', `unexpected status word in ${id}`, { details: { sw: inner.sw.toString(16) } });
      }
      use?.(inner.data);
    },
  };
}

export function smSelectEsign(ctx: FlowContext): PlannedStep {
  return smStep(ctx, 'sm-select-df-esign', 0, selectAid(AID.DF_ESIGN), { extended: false, expected: [SW.NO_ERROR] });
}

/** READ EF.C.CH.AUT.E256 (SFI 04) with extended Le: the whole certificate in one answer. */
export function smReadChAut(ctx: FlowContext): PlannedStep {
  return smStep(ctx, 'sm-read-ch-aut', 1, readBinary({ sfi: SFI.EF_C_CH_AUT_E256, ne: 65536 }), {
    extended: true,
    expected: READ_OK,
    use(data) {
      try {
        ctx.chAut = readTlv(data).raw; // the file is larger than the certificate
      } catch (e) {
        throw new EhcError('chaut-invalid', 'C.CH.AUT is not DER', { cause: e });
      }
    },
  });
}
