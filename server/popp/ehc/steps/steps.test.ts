import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseResponse } from '../../../../lib/apdu/response';
import { fromHex, toHex } from '../../../../lib/bytes/hex';
import { nodeCardCrypto } from '../../../card/crypto-node';
import { interopAvailable, interopPath } from '../../../testing/interop';
import { devEhcTrust } from '../dev-trust';
import { isEhcError } from '../errors';
import { checkResponseCount, evaluateScenario } from '../evaluate';
import type { PlannedScenario } from '../flow-types';
import { prepareTrust } from '../trust';
import type { FlowContext } from './context';
import { ROUNDS } from './index';
import { G21_OBJECT_SYSTEMS } from './open-egk';

function context(over: Partial<FlowContext> = {}): FlowContext {
  const trust = prepareTrust(devEhcTrust());
  return {
    crypto: nodeCardCrypto,
    trust,
    service: trust.identities[0],
    settings: { objectSystemVersions: [...G21_OBJECT_SYSTEMS], blockedProducts: [] },
    now: Date.now,
    ephemeral: nodeCardCrypto.generateKeyPair('brainpoolP256r1'),
    ...over,
  };
}

describe.runIf(interopAvailable())('the round table against gematik’s material', () => {
  it('round 1 batches 12 commands, from SELECT MF to GA step 2, for the service chain under DEGXX 87-02-22', () => {
    const ctx = context();
    const steps = ROUNDS.opening.steps(ctx);
    const hex = steps.map((s) => toHex(s.command));
    expect(steps.map((s) => s.id)).toEqual([
      'select-mf',
      'read-ef-version2',
      'read-ca-cvc',
      'read-ee-cvc',
      'list-public-key',
      'mse-set-at',
      'mse-set-dst',
      'pso-verify-certificate',
      'mse-set-dst',
      'pso-verify-certificate',
      'general-authenticate-1',
      'general-authenticate-2',
    ]);
    expect(hex.slice(0, 7)).toEqual([
      '00A4040C07D2760001448000',
      '00B0910000',
      '00B0870000',
      '00B0860000',
      '80CA0100000000',
      '002241A406840109800154',
      '002281B60A83084445475858870222',
    ]);
    expect(hex[7]).toMatch(/^002A00BED87F4E81915F2901704208444547585887022/);
    expect(hex[8]).toBe('002281B60A83084445475858120223');
    expect(hex[10]).toBe('10860000107C0EC30C000A8027600101169990210100');
    expect(hex[11]).toBe(`00860000457C438541${toHex(ctx.ephemeral.publicKey)}`);
    // Only the first MSE SET DST may answer "key not found" without ending the session.
    expect(steps.map((s) => s.fallbackOn)).toEqual([...Array(6).fill(undefined), 0x6a88, ...Array(5).fill(undefined)]);
    expect(ROUNDS.opening.last).toBe(false);
    expect(ROUNDS['read-x509'].last).toBe(true);
  });

  it('the SM round reproduces the trusted-channel vector byte for byte (SSC 1 and 3)', () => {
    const v = JSON.parse(readFileSync(interopPath('vectors', 'trusted-channel-vector.json'), 'utf8'));
    const ctx = context({ keys: { kenc: fromHex(v.Kenc), kmac: fromHex(v.Kmac) } });
    const [select, read] = ROUNDS['read-x509'].steps(ctx);
    expect(toHex(select.command)).toBe(v.smSelectDfEsign_ssc1);
    expect(toHex(read.command)).toBe(v.smReadChAut_ssc3);
  });
});

describe('response count and status words', () => {
  const step = (id: string, expected: number[], fallbackOn?: number) => ({ id, phase: 'trusted-channel' as const, command: new Uint8Array(4), expected, fallbackOn });
  const scenario: PlannedScenario = { last: false, steps: [step('a', [0x9000]), step('b', [0x9000], 0x6a88), step('c', [0x9000])] };
  const code = (f: () => unknown) => {
    try {
      f();
      return 'ok';
    } catch (e) {
      if (isEhcError(e)) return e.code;
      throw e;
    }
  };

  it.each([
    [['9000', '9000', '9000'], 'ok'],
    [['9000', '6a88'], 'ok'],
    [['6a82'], 'ok'],
    [['9000', '9000'], 'response-count'],
    [['9000', '9000', '9000', '9000'], 'response-count'],
    [[], 'response-count'],
  ])('%j → %s', (hex, expected) => {
    expect(code(() => checkResponseCount(scenario, hex))).toBe(expected);
  });

  it('6A88 on the speculative step is a fallback only as the last answer', () => {
    const r = (hex: string[]) => hex.map((h) => parseResponse(fromHex(h)));
    expect(evaluateScenario(scenario, r(['9000', '6a88']))).toEqual({ fallback: true });
    expect(code(() => evaluateScenario(scenario, r(['9000', '6a88', '9000'])))).toBe('sw-trusted-channel');
    expect(code(() => evaluateScenario(scenario, r(['6a88'])))).toBe('sw-trusted-channel');
    expect(evaluateScenario(scenario, r(['9000', '9000', '9000']))).toEqual({ fallback: false });
  });
});
