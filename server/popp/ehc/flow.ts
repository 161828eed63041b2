import type { CardCrypto } from '../../../lib/card-crypto/port';
import { nodeCardCrypto } from '../../card/crypto-node';
import type { EhcDeps } from './deps';
import { EhcError } from './errors';
import { evaluateScenario } from './evaluate';
import type { EhcFlow, PlannedScenario } from './flow-types';
import type { FlowContext, FlowSettings } from './steps/context';
import { FIRST_ROUND, ROUNDS, type RoundName } from './steps/index';
import { G21_OBJECT_SYSTEMS } from './steps/open-egk';
import { prepareTrust } from './trust';

/**
 * Runs the round table (steps/index.ts) for one session: plan a round, read its
 * answers, run its checks, go to the next. Trust is prepared once per endpoint.
 */
export function createFlowFactory(deps: EhcDeps): () => EhcFlow {
  const crypto: CardCrypto = deps.crypto ?? nodeCardCrypto;
  const trust = prepareTrust(deps.trust);
  const settings: FlowSettings = {
    objectSystemVersions: (deps.config.objectSystemVersions ?? G21_OBJECT_SYSTEMS).map((v) => v.toLowerCase()),
    blockedProducts: (deps.config.blockedProducts ?? []).map((v) => v.toLowerCase()),
  };
  return () => {
    const ctx: FlowContext = {
      crypto,
      trust,
      settings,
      now: deps.now,
      ephemeral: crypto.generateKeyPair('brainpoolP256r1'),
      service: trust.identities[0],
    };
    let round: RoundName = FIRST_ROUND;
    let scenario: PlannedScenario | undefined;
    const plan = (name: RoundName): PlannedScenario => {
      round = name;
      scenario = { steps: ROUNDS[name].steps(ctx), last: ROUNDS[name].last };
      return scenario;
    };
    return {
      first: () => plan(FIRST_ROUND),
      async answer(responses) {
        if (!scenario) throw new EhcError('internal', 'no scenario outstanding');
        const { fallback } = evaluateScenario(scenario, responses);
        scenario = undefined;
        for (const check of ROUNDS[round].checks) await check(ctx, fallback);
        const next = ROUNDS[round].next(fallback);
        if (next !== 'identity') return { kind: 'scenario', scenario: plan(next) };
        if (!ctx.identity) throw new EhcError('internal', 'no identity after the last round');
        return { kind: 'identity', ...ctx.identity };
      },
    };
  };
}
