import { ReaderError } from '../../../lib/ccid/errors';
import {
  getParameters,
  getSlotStatus,
  iccPowerOff,
  iccPowerOn,
  setParametersT1,
  xfrBlock,
  POWER_SELECT_AUTO,
  type T1ProtocolData,
} from '../../../lib/ccid/messages';
import type { RdrToPcMessage } from '../../../lib/ccid/responses';
import { ccidFailure, type IccStatus } from '../../../lib/ccid/status';
import type { CcidChannel } from './ccid-channel';

type DataBlock = Extract<RdrToPcMessage, { type: 'data-block' }>;

/** One card slot of a reader: each CCID command as a method, failures as typed errors. */
export class CcidSlot {
  constructor(
    private readonly channel: CcidChannel,
    readonly index: number,
  ) {}

  private ok<T extends RdrToPcMessage>(m: T, what: string): T {
    if (m.command !== 'ok') throw ccidFailure(m.bStatus, m.bError, { command: what, slot: this.index });
    return m;
  }

  async status(): Promise<IccStatus> {
    const m = await this.channel.command(this.index, (seq) => getSlotStatus(this.index, seq));
    // A failed GetSlotStatus still reports the ICC status bits, which is all we ask for.
    return m.icc;
  }

  /** Powers the card and returns its ATR. */
  async powerOn(powerSelect = POWER_SELECT_AUTO): Promise<Uint8Array> {
    const m = this.ok(await this.channel.command(this.index, (seq) => iccPowerOn(this.index, seq, powerSelect)), 'IccPowerOn');
    if (m.data.length < 2) throw new ReaderError('ATR_MALFORMED', 'reader returned no ATR', { details: { length: m.data.length } });
    return m.data;
  }

  async powerOff(): Promise<void> {
    await this.channel.command(this.index, (seq) => iccPowerOff(this.index, seq));
  }

  async setParametersT1(p: T1ProtocolData): Promise<void> {
    this.ok(await this.channel.command(this.index, (seq) => setParametersT1(this.index, seq, p)), 'SetParameters');
  }

  async getParameters(): Promise<RdrToPcMessage> {
    return this.ok(await this.channel.command(this.index, (seq) => getParameters(this.index, seq)), 'GetParameters');
  }

  /** One XfrBlock; the DataBlock must report success. */
  async xfr(data: Uint8Array, opts: { bwi?: number; levelParameter?: number } = {}): Promise<DataBlock> {
    const m = await this.channel.command(this.index, (seq) => xfrBlock(this.index, seq, data, opts));
    return this.ok(m as DataBlock, 'XfrBlock');
  }
}
