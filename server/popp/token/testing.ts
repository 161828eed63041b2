import type { PoppTokenInput } from './claims';

/** A complete, valid token input with the test card's identity (KVNR X110540756, IK 109500969). */
export function sampleTokenInput(over: Partial<PoppTokenInput> = {}): PoppTokenInput {
  return {
    proofMethod: 'healthid',
    patientProofTime: 1_760_000_000,
    patientId: 'X110540756',
    insurerId: '109500969',
    actorId: '1-20014060625',
    actorProfessionOid: '1.2.276.0.76.4.50',
    ...over,
  };
}
