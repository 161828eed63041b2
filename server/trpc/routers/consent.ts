import { z } from 'zod';
import { assertFreshLogin, confirmConsent, declineConsent, resolveCode } from '../../checkin/consent';
import { effectiveState } from '../../checkin/records';
import { isPoppError } from '../../../lib/errors';
import { insurerName } from '../../checkin/insurers';
import { limitedProcedure, publicProcedure, router } from '../init';

// Only bounded here: the domain's own check turns a malformed code into CODE_MALFORMED with its German text.
const code = z.string().max(256);

export const consentRouter = router({
  /**
   * What the insured person's phone shows for a code: the practice, the code's state,
   * and — only after a fresh GesundheitsID login made for this very code — exactly
   * what will be shared.
   */
  view: publicProcedure.input(z.object({ code })).query(async ({ ctx, input }) => {
    const s = ctx.services;
    const { row, practice } = await resolveCode(s.db, input.code);
    const { state, reason } = effectiveState(row, s.now());
    const base = {
      practice: { name: practice.name, telematikId: practice.telematik_id },
      state,
      reason,
      expiresAt: row.expires_at,
    };
    if (state !== 'waiting') return { ...base, login: null, share: null };
    const who = await ctx.insured();
    try {
      await assertFreshLogin(s.db, s.consent, row, who);
    } catch (e) {
      return { ...base, login: { ok: false as const, reason: isPoppError(e) ? e.code : 'LOGIN_REQUIRED' }, share: null };
    }
    return {
      ...base,
      login: { ok: true as const, reason: null },
      share: {
        name: who!.displayName,
        kvnr: who!.kvnr,
        ik: who!.ik,
        insurer: insurerName(who!.ik),
        proofTime: who!.authTime,
        recipient: practice.name,
        recipientTelematikId: practice.telematik_id,
      },
    };
  }),

  confirm: limitedProcedure.input(z.object({ code })).mutation(async ({ ctx, input }) => {
    const s = ctx.services;
    const r = await confirmConsent(s, s.consent, input.code, await ctx.insured());
    return { ok: true as const, practiceName: r.practiceName };
  }),

  decline: limitedProcedure.input(z.object({ code })).mutation(async ({ ctx, input }) => {
    const s = ctx.services;
    await declineConsent(s, s.consent, input.code, await ctx.insured());
    return { ok: true as const };
  }),
});
