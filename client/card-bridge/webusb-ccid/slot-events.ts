import { isReaderError } from '../../../lib/ccid/errors';
import { parseInterruptMessage, type InterruptMessage } from '../../../lib/ccid/interrupt';
import { usbError } from './usb-errors';
import { dataViewBytes, type UsbDeviceLike } from './usb-types';

/**
 * The interrupt-IN pipe: NotifySlotChange when a card goes in or out,
 * HardwareError (§6.3). Garbage is reported and skipped; a dead pipe ends the loop.
 */
export class SlotEvents {
  private stopped = false;

  constructor(
    private readonly device: UsbDeviceLike,
    private readonly endpoint: { number: number; packetSize: number },
    private readonly maxSlotIndex: number,
    private readonly onMessage: (m: InterruptMessage) => void,
    private readonly onEnd: (error: unknown) => void,
  ) {}

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
  }

  private async loop(): Promise<void> {
    let garbage = 0;
    try {
      while (!this.stopped) {
        const r = await this.device.transferIn(this.endpoint.number, Math.max(this.endpoint.packetSize, 8));
        if (this.stopped) return;
        if (r.status === 'stall') {
          await this.device.clearHalt('in', this.endpoint.number);
          continue;
        }
        const bytes = dataViewBytes(r.data);
        if (bytes.length === 0) continue;
        try {
          this.onMessage(parseInterruptMessage(bytes, this.maxSlotIndex));
          garbage = 0;
        } catch (e) {
          // A reader that only ever sends garbage here is no source of presence events.
          if (!isReaderError(e) || ++garbage > 16) throw e;
        }
      }
    } catch (e) {
      if (!this.stopped) this.onEnd(usbError(e, 'transfer'));
    }
  }
}
