import { holderName, kvnrAndIk, readCertificate } from '../chaut-reader';
import { EhcError } from '../errors';
import type { FlowContext } from './context';

/** KVNR and IK from the (already validated) C.CH.AUT, classified by pattern rather than position. */
export function identityFromChAut(ctx: FlowContext): void {
  if (!ctx.chAut) throw new EhcError('internal', 'C.CH.AUT missing');
  try {
    const view = readCertificate(ctx.chAut);
    const { kvnr, ik } = kvnrAndIk(view);
    ctx.identity = { patientId: kvnr, insurerId: ik, holderName: holderName(view) };
  } catch (e) {
    throw new EhcError('chaut-invalid', 'C.CH.AUT carries no single KVNR/IK', { cause: e });
  }
}
