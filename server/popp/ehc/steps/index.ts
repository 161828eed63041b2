import { certificatesToImport } from '../../../card/cvc/chain';
import { cvcDateFromJs } from '../../../card/cvc/date';
import { EhcError } from '../errors';
import type { PlannedStep } from '../flow-types';
import { checkCardChain } from '../trust';
import type { FlowContext } from './context';
import { identityFromChAut } from './identity';
import { readVersion2, selectMf } from './open-egk';
import { listPublicKey, readCaCvc, readEeCvc } from './read-cvc';
import { smReadChAut, smSelectEsign } from './read-x509';
import { deriveKeys, gaStep1, gaStep2, importCvcs, mseSetAt } from './trusted-channel';

/**
 * The contact eGK check (G2.1, trusted channel) as a table: each round is one
 * StandardScenario — its steps in card order, the checks that run once its answers
 * are read, and the round that follows. Everything whose bytes do not depend on a
 * card answer is batched, so a card that knows our CVC root needs two rounds
 * (gematik's sample: four) and any other card three.
 */
export type RoundName = 'opening' | 'trusted-channel-retry' | 'read-x509';

export interface Round {
  /** Sent with `timeSpan` 0. */
  last: boolean;
  steps(ctx: FlowContext): PlannedStep[];
  /** Run in order after the steps' own answer checks; `fallback` = the card lacked the speculative root (6A88). */
  checks: Array<(ctx: FlowContext, fallback: boolean) => void | Promise<void>>;
  next(fallback: boolean): RoundName | 'identity';
}

export const ROUNDS: Record<RoundName, Round> = {
  /** Round 1: open the card, read its CVCs and key list, and set up the trusted channel speculatively. */
  opening: {
    last: false,
    steps: (ctx) => [
      selectMf(),
      readVersion2(ctx), // 79502/79503
      readCaCvc(ctx),
      readEeCvc(ctx),
      listPublicKey(ctx),
      mseSetAt(),
      ...importCvcs(ctx.trust.speculativeImport, { speculative: true }), // 6A88 on the first: card lacks that root
      gaStep1(ctx),
      gaStep2(ctx),
    ],
    checks: [checkCardCvcs, (ctx, fallback) => (fallback ? undefined : deriveKeys(ctx))],
    next: (fallback) => (fallback ? 'trusted-channel-retry' : 'read-x509'),
  },
  /** Only for cards without the expected root: import via the link CVCs LIST PUBLIC KEY calls for. */
  'trusted-channel-retry': {
    last: false,
    steps: (ctx) => {
      const imports = importPathForCard(ctx); // also settles which service identity GA step 1 names
      return [mseSetAt(), ...importCvcs(imports, { speculative: false }), gaStep1(ctx), gaStep2(ctx)];
    },
    checks: [deriveKeys],
    next: () => 'read-x509',
  },
  /** Last round: CH.AUT under secure messaging; a verified response MAC proves the card answered now. */
  'read-x509': {
    last: true,
    steps: (ctx) => [smSelectEsign(ctx), smReadChAut(ctx)],
    checks: [validateChAut, identityFromChAut],
    next: () => 'identity',
  },
};

export const FIRST_ROUND: RoundName = 'opening';

/** 79514 / 79116: the card's sub-CA to one of our roots (link CVCs allowed), its CVC under the sub-CA, by today's date. */
function checkCardCvcs(ctx: FlowContext): void {
  if (!ctx.caCvc || !ctx.eeCvc) throw new EhcError('internal', 'card CVCs missing');
  checkCardChain(ctx.crypto, ctx.trust, ctx.caCvc, ctx.eeCvc, cvcDateFromJs(new Date(ctx.now())));
}

/**
 * From a key the card lists to one of our end-entity CVCs ([] when the card already knows
 * it): the first identity that is reachable becomes the session's.
 */
function importPathForCard(ctx: FlowContext) {
  for (const id of ctx.trust.identities) {
    const path = certificatesToImport(id.ee, [...ctx.trust.links, ...id.chain], ctx.cardKnows ?? []);
    if (path) {
      ctx.service = id;
      return path;
    }
  }
  throw new EhcError('no-import-path', 'the card knows no root we can reach');
}

async function validateChAut(ctx: FlowContext): Promise<void> {
  if (!ctx.chAut || !ctx.eeCvc) throw new EhcError('internal', 'C.CH.AUT or card CVC missing');
  await ctx.trust.validateChAut(ctx.chAut, { cardCvc: ctx.eeCvc.raw, now: new Date(ctx.now()) });
}
