import type { Atr } from '../../../lib/ccid/atr';
import { offersT1 } from '../../../lib/ccid/atr';
import type { InterfaceClassification } from '../../../lib/ccid/classify';
import { ReaderError } from '../../../lib/ccid/errors';
import { FEATURE_AUTO_IFSD, FEATURE_AUTO_PARAMETERS_FROM_ATR, readerDoesPps } from '../../../lib/ccid/features';
import { t1ParametersFromAtr } from '../../../lib/ccid/parameters';
import { T1Session } from '../../../lib/ccid/t1/session';
import type { ApduExchange } from './apdu-exchange';
import type { CcidSlot } from './ccid-slot';

export interface TpduOptions {
  maxWtxPerApdu: number;
  maxResponseLength: number;
}

/**
 * TPDU-level readers: the host runs T=1 itself, one block per XfrBlock. After
 * the ATR the reader gets the card's parameters (unless it takes them from the
 * ATR itself) and the card learns the host's IFSD (unless the reader sends
 * S(IFS) on its own, dwFeatures bit 0x400).
 */
export async function startTpduExchange(
  slot: CcidSlot,
  c: InterfaceClassification,
  features: number,
  atr: Atr,
  opts: TpduOptions,
): Promise<ApduExchange> {
  if (!offersT1(atr)) {
    throw new ReaderError('PROTOCOL_UNSUPPORTED', 'the card does not offer T=1 (T=0 on TPDU-level readers is not implemented)', {
      details: { protocols: atr.protocols },
    });
  }
  if (!c.t1) throw new ReaderError('PROTOCOL_UNSUPPORTED', 'the reader does not support T=1');
  if ((features & FEATURE_AUTO_PARAMETERS_FROM_ATR) === 0 || atr.protocols[0] !== 1) {
    await slot.setParametersT1(t1ParametersFromAtr(atr, { readerDoesPps: readerDoesPps(features) }));
  }
  const session = new T1Session(
    { exchange: async (block, wtx) => (await slot.xfr(block, { bwi: wtx })).data },
    { ifsc: atr.t1.ifsc, edc: atr.t1.edc, maxWtxPerApdu: opts.maxWtxPerApdu, maxResponseLength: opts.maxResponseLength },
  );
  if ((features & FEATURE_AUTO_IFSD) === 0 && c.maxIFSD !== 32) await session.negotiateIfsd(c.maxIFSD);
  return { transmit: (apdu) => session.transceive(apdu) };
}
