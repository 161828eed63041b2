import type { Atr } from './atr';
import type { T1ProtocolData } from './messages';

/** Fd/Dd: the default speed a card runs at after the ATR until a PPS says otherwise (ISO 7816-3 §8.3). */
export const DEFAULT_FINDEX_DINDEX = 0x11;

/**
 * T=1 parameters for PC_to_RDR_SetParameters on a TPDU-level reader.
 * In negotiable mode (no TA2) the card stays at Fd/Dd unless a PPS changes it;
 * without automatic PPS in the reader the host sends none, so TA1 only counts
 * when the reader negotiates or the card is in specific mode.
 */
export function t1ParametersFromAtr(atr: Atr, opts: { readerDoesPps: boolean; ifsd?: number }): T1ProtocolData {
  const findexDindex = atr.specificMode || opts.readerDoesPps ? atr.ta1 : DEFAULT_FINDEX_DINDEX;
  return {
    findexDindex,
    useCrc: atr.t1.edc === 'crc',
    inverseConvention: atr.convention === 'inverse',
    // TC1 = 255 means the minimum guard time for T=1 (11 etu, i.e. N = -1); the reader takes it as is.
    guardTime: atr.tc1,
    waitingIntegers: (atr.t1.bwi << 4) | atr.t1.cwi,
    clockStop: 0,
    ifsc: atr.t1.ifsc,
    nad: 0,
  };
}
