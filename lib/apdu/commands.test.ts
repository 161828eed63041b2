import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes/hex';
import { encodeCommand } from './command';
import {
  AID,
  generalAuthenticateStep1,
  generalAuthenticateStep2,
  internalAuthenticate,
  listPublicKey,
  mseSetAt,
  mseSetDst,
  psoVerifyCertificate,
  readBinary,
  selectAid,
  selectEf,
  selectMf,
} from './commands';

const hex = (c: Parameters<typeof encodeCommand>[0], extended?: boolean) => toHex(encodeCommand(c, { extended }));

// Expected bytes as listed in shared/docs/popp-reference.md §2 and egk-and-readers.md §1.4.
describe('PoPP command builders', () => {
  it('SELECT', () => {
    expect(hex(selectMf())).toBe('00A4040C');
    expect(hex(selectAid(AID.MF))).toBe('00A4040C07D2760001448000');
    expect(hex(selectAid(AID.DF_ESIGN))).toBe('00A4040C0AA000000167455349474E');
    expect(hex(selectEf(0x011c))).toBe('00A4020C02011C');
    expect(hex(selectEf(0xc504, { fcp: true }))).toBe('00A402040000' + '02C5040000');
  });
  it('READ BINARY by SFI and by offset', () => {
    expect(hex(readBinary({ sfi: 0x11, ne: 256 }))).toBe('00B0910000');
    expect(hex(readBinary({ sfi: 0x07, ne: 256 }))).toBe('00B0870000');
    expect(hex(readBinary({ sfi: 0x04, ne: 65536 }))).toBe('00B08400000000');
    expect(hex(readBinary({ offset: 0x036e, ne: 65536 }))).toBe('00B0036E000000');
    expect(() => readBinary({ sfi: 4, offset: 256, ne: 1 })).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
    expect(() => readBinary({ offset: 0x8000, ne: 1 })).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
    expect(() => readBinary({ sfi: 31, ne: 1 })).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
  });
  it('trusted-channel commands', () => {
    expect(hex(listPublicKey())).toBe('80CA0100000000');
    expect(hex(mseSetAt(0x09, 0x54))).toBe('002241A406840109800154');
    expect(hex(mseSetDst(fromHex('4445475858850218')))).toBe('002281B60A83084445475858850218');
    const chr = fromHex('000A80276001011699902101');
    expect(hex(generalAuthenticateStep1(chr))).toBe('10860000107C0EC30C000A8027600101169990210100');
    expect(hex(generalAuthenticateStep1(chr, { extended: true }), true)).toBe('108600000000107C0EC30C000A802760010116999021010000');
    const pub = new Uint8Array(65).fill(0xab);
    pub[0] = 4;
    expect(hex(generalAuthenticateStep2(pub))).toBe('00860000457C438541' + toHex(pub));
    expect(hex(psoVerifyCertificate(fromHex('7F4E00')))).toBe('002A00BE037F4E00');
    expect(hex(internalAuthenticate(new Uint8Array(24)))).toBe('0088000018' + '00'.repeat(24) + '00');
  });
});
