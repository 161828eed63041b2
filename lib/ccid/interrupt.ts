import { ReaderError } from './errors';

/** Interrupt-IN messages, CCID Rev 1.1 §6.3. */
export const RDR_TO_PC_NOTIFY_SLOT_CHANGE = 0x50;
export const RDR_TO_PC_HARDWARE_ERROR = 0x51;

/** Hardware error code (§6.3.2). */
export const HARDWARE_ERROR_OVERCURRENT = 0x01;

export interface SlotChange {
  slot: number;
  present: boolean;
  changed: boolean;
}

export type InterruptMessage =
  | { type: 'slot-change'; slots: SlotChange[] }
  | { type: 'hardware-error'; slot: number; seq: number; code: number };

/**
 * NotifySlotChange carries two bits per slot, slot 0 in the low bits of the
 * first byte: bit 0 = card present, bit 1 = changed since the last report.
 * Slots beyond the reader's bMaxSlotIndex are ignored; a message too short for
 * the declared slots is garbage.
 */
export function parseInterruptMessage(bytes: Uint8Array, maxSlotIndex: number): InterruptMessage {
  if (bytes.length < 1) throw new ReaderError('MESSAGE_MALFORMED', 'empty interrupt message');
  switch (bytes[0]) {
    case RDR_TO_PC_NOTIFY_SLOT_CHANGE: {
      const slotCount = maxSlotIndex + 1;
      const needed = 1 + Math.ceil((slotCount * 2) / 8);
      if (bytes.length < needed) {
        throw new ReaderError('MESSAGE_MALFORMED', 'NotifySlotChange too short for the reader slots', {
          details: { length: bytes.length, needed },
        });
      }
      const slots: SlotChange[] = [];
      for (let slot = 0; slot < slotCount; slot++) {
        const bits = (bytes[1 + (slot >> 2)] >> ((slot & 3) * 2)) & 0x03;
        slots.push({ slot, present: (bits & 0x01) !== 0, changed: (bits & 0x02) !== 0 });
      }
      return { type: 'slot-change', slots };
    }
    case RDR_TO_PC_HARDWARE_ERROR:
      if (bytes.length < 4) throw new ReaderError('MESSAGE_MALFORMED', 'HardwareError too short', { details: { length: bytes.length } });
      return { type: 'hardware-error', slot: bytes[1], seq: bytes[2], code: bytes[3] };
    default:
      throw new ReaderError('MESSAGE_MALFORMED', 'unknown interrupt message type', { details: { type: bytes[0] } });
  }
}
