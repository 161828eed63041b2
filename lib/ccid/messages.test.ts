/**
 * CCID Rev 1.1 §6 messages, byte-exact: header = bMessageType, dwLength
 * (LE u32), bSlot, bSeq, three message-specific bytes; then abData.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes/hex';
import { parseInterruptMessage } from './interrupt';
import {
  abort,
  abortControlValue,
  getParameters,
  getSlotStatus,
  iccPowerOff,
  iccPowerOn,
  resetParameters,
  setParametersT0,
  setParametersT1,
  xfrBlock,
} from './messages';
import { expectedMessageLength, parseReaderMessage } from './responses';
import { ccidFailure, commandStatus, describeCcidError, iccStatus } from './status';

describe('PC_to_RDR messages', () => {
  it('power, status, parameters, abort', () => {
    expect(toHex(iccPowerOn(0, 1))).toBe('62' + '00000000' + '00' + '01' + '000000');
    expect(toHex(iccPowerOn(0, 2, 0x01))).toBe('62' + '00000000' + '00' + '02' + '010000');
    expect(toHex(iccPowerOff(0, 2))).toBe('63' + '00000000' + '00' + '02' + '000000');
    expect(toHex(getSlotStatus(1, 0xff))).toBe('65' + '00000000' + '01' + 'FF' + '000000');
    expect(toHex(getParameters(0, 7))).toBe('6C' + '00000000' + '00' + '07' + '000000');
    expect(toHex(resetParameters(0, 8))).toBe('6D' + '00000000' + '00' + '08' + '000000');
    expect(toHex(abort(0, 5))).toBe('72' + '00000000' + '00' + '05' + '000000');
    expect(abortControlValue(0, 5)).toBe(0x0500);
  });

  it('XfrBlock: bBWI at offset 7, wLevelParameter LE at 8..9, data after the header', () => {
    expect(toHex(xfrBlock(0, 3, fromHex('00A4040C')))).toBe('6F' + '04000000' + '00' + '03' + '00' + '0000' + '00A4040C');
    expect(toHex(xfrBlock(0, 4, fromHex('AB'), { bwi: 2, levelParameter: 0x0001 }))).toBe('6F' + '01000000' + '00' + '04' + '02' + '0100' + 'AB');
    expect(toHex(xfrBlock(0, 4, new Uint8Array(0), { levelParameter: 0x0010 }))).toBe('6F' + '00000000' + '00' + '04' + '00' + '1000');
    const big = xfrBlock(0, 0, new Uint8Array(0x0102));
    expect(toHex(big.subarray(0, 5))).toBe('6F02010000');
  });

  it('SetParameters T=1: bProtocolNum 01, 7-byte structure with bmTCCKST1 = 0x10 | CRC | inverse', () => {
    // The eGK G2.1 ATR: TA1 96, TC1 FF, TB3 45 (BWI 4, CWI 5), IFSC FE, LRC
    const msg = setParametersT1(0, 9, {
      findexDindex: 0x96,
      useCrc: false,
      inverseConvention: false,
      guardTime: 0xff,
      waitingIntegers: 0x45,
      clockStop: 0,
      ifsc: 0xfe,
      nad: 0,
    });
    expect(toHex(msg)).toBe('61' + '07000000' + '00' + '09' + '01' + '0000' + '96' + '10' + 'FF' + '45' + '00' + 'FE' + '00');
    const crc = setParametersT1(0, 9, { findexDindex: 0x11, useCrc: true, inverseConvention: true, guardTime: 0, waitingIntegers: 0x4d, clockStop: 0, ifsc: 32, nad: 0 });
    expect(toHex(crc.subarray(10))).toBe('11' + '13' + '00' + '4D' + '00' + '20' + '00');
  });

  it('SetParameters T=0: bProtocolNum 00, 5-byte structure', () => {
    const msg = setParametersT0(0, 1, { findexDindex: 0x11, inverseConvention: false, guardTime: 0, waitingInteger: 10, clockStop: 0 });
    expect(toHex(msg)).toBe('61' + '05000000' + '00' + '01' + '00' + '0000' + '11' + '00' + '00' + '0A' + '00');
  });

  it('rejects values that are not bytes', () => {
    expect(() => iccPowerOn(256, 0)).toThrow();
    expect(() => xfrBlock(0, -1, new Uint8Array(0))).toThrow();
  });
});

describe('RDR_to_PC messages', () => {
  it('DataBlock with the ATR', () => {
    const m = parseReaderMessage(fromHex('80' + '0E000000' + '00' + '01' + '00' + '00' + '00' + '3BD396FF81B1FE451F078081052D'));
    expect(m).toMatchObject({ type: 'data-block', slot: 0, seq: 1, icc: 'active', command: 'ok', chainParameter: 0 });
    expect(toHex(m.data)).toBe('3BD396FF81B1FE451F078081052D');
  });

  it('SlotStatus and Parameters carry their third byte', () => {
    expect(parseReaderMessage(fromHex('81' + '00000000' + '00' + '02' + '01' + '00' + '00'))).toMatchObject({
      type: 'slot-status',
      icc: 'inactive',
      clockStatus: 0,
    });
    expect(parseReaderMessage(fromHex('82' + '07000000' + '00' + '03' + '00' + '00' + '01' + '96104D00FE00'.padEnd(14, '0')))).toMatchObject({
      type: 'parameters',
      protocolNum: 1,
    });
  });

  it('status bits: ICC status b1..b0, command status b7..b6', () => {
    expect(iccStatus(0x00)).toBe('active');
    expect(iccStatus(0x01)).toBe('inactive');
    expect(iccStatus(0x02)).toBe('absent');
    expect(commandStatus(0x40)).toBe('failed');
    expect(commandStatus(0x80)).toBe('time-extension');
    expect(commandStatus(0x41)).toBe('failed');
  });

  it('maps failures to typed errors; an absent card outranks bError', () => {
    expect(ccidFailure(0x40, 0xfe)).toMatchObject({ code: 'CARD_MUTE', layer: 'reader' });
    expect(ccidFailure(0x42, 0xfe)).toMatchObject({ code: 'NO_CARD' });
    expect(ccidFailure(0x40, 0xfb)).toMatchObject({ code: 'CCID_HARDWARE_ERROR' });
    expect(ccidFailure(0x40, 0x00)).toMatchObject({ code: 'CCID_COMMAND_NOT_SUPPORTED' });
    expect(ccidFailure(0x40, 0xe0)).toMatchObject({ code: 'CCID_SLOT_BUSY' });
    expect(ccidFailure(0x40, 0x05)).toMatchObject({ code: 'CCID_BAD_PARAMETER' });
    expect(ccidFailure(0x40, 0xff)).toMatchObject({ code: 'CCID_ABORTED' });
    expect(ccidFailure(0x40, 0xfd)).toMatchObject({ code: 'CCID_TRANSFER_ERROR' });
    expect(ccidFailure(0x40, 0xf7)).toMatchObject({ code: 'CCID_ATR_ERROR' });
    expect(ccidFailure(0x40, 0xc0)).toMatchObject({ code: 'CCID_ERROR' });
    expect(describeCcidError(0x05)).toBe('bad value in message byte 5');
  });

  it('garbage is MESSAGE_MALFORMED or RESPONSE_TOO_LARGE, never a crash', () => {
    expect(() => parseReaderMessage(fromHex('8000'))).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
    expect(() => parseReaderMessage(fromHex('99' + '00000000' + '0000000000'))).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
    expect(() => parseReaderMessage(fromHex('80' + '05000000' + '0000000000' + '9000'))).toThrow(
      expect.objectContaining({ code: 'MESSAGE_MALFORMED' }),
    );
    expect(() => parseReaderMessage(fromHex('80' + 'FFFFFFFF' + '0000000000'), 271)).toThrow(
      expect.objectContaining({ code: 'RESPONSE_TOO_LARGE' }),
    );
  });

  it('knows how long a message will be from its header', () => {
    expect(expectedMessageLength(fromHex('80020000'))).toBeUndefined();
    expect(expectedMessageLength(fromHex('80' + '02010000' + '0000000000'))).toBe(10 + 0x0102);
  });
});

describe('interrupt-IN', () => {
  it('NotifySlotChange: two bits per slot, slot 0 lowest', () => {
    expect(parseInterruptMessage(fromHex('5003'), 0)).toEqual({ type: 'slot-change', slots: [{ slot: 0, present: true, changed: true }] });
    expect(parseInterruptMessage(fromHex('5002'), 0)).toEqual({ type: 'slot-change', slots: [{ slot: 0, present: false, changed: true }] });
    const five = parseInterruptMessage(fromHex('50C301'), 4);
    expect(five.type === 'slot-change' && five.slots.map((s) => `${+s.present}${+s.changed}`)).toEqual(['11', '00', '00', '11', '10']);
  });

  it('HardwareError and garbage', () => {
    expect(parseInterruptMessage(fromHex('51000701'), 0)).toEqual({ type: 'hardware-error', slot: 0, seq: 7, code: 1 });
    expect(() => parseInterruptMessage(fromHex('50C3'), 4)).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
    expect(() => parseInterruptMessage(fromHex('52'), 0)).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
    expect(() => parseInterruptMessage(new Uint8Array(0), 0)).toThrow(expect.objectContaining({ code: 'MESSAGE_MALFORMED' }));
  });
});
