import { z } from 'zod';
import { createSetupLink } from '../../practice/seed';
import { describeSetupLink, finishLogin, finishRegistration, startLogin, startRegistration } from '../../identity/passkeys';
import { createStaffSession, endStaffSession, STAFF_COOKIE } from '../../identity/staff-session';
import { audit } from '../../store/audit';
import { setCookie } from '../cookies';
import { limitedProcedure, publicProcedure, router, sameOriginProcedure, staffProcedure, type Context } from '../init';
import { TRPCError } from '@trpc/server';

// Bounded only: a mistyped link gets SETUP_LINK_INVALID from the domain, not a generic input error.
const setupToken = z.string().max(128);
const displayName = z.string().trim().min(2).max(80);
const challengeId = z.string().uuid();
// WebAuthn responses are checked in depth by @simplewebauthn; here only their outer shape and size.
const webauthnResponse = z.object({ id: z.string().max(1024), rawId: z.string().max(1024), type: z.literal('public-key'), response: z.record(z.string(), z.unknown()) }).passthrough();

async function startSession(ctx: Context, userId: string) {
  const s = ctx.services;
  const { cookieValue } = await createStaffSession(s.db, userId, s.now(), s.env.STAFF_SESSION_HOURS);
  setCookie(ctx.res, STAFF_COOKIE, cookieValue, { maxAgeSeconds: s.env.STAFF_SESSION_HOURS * 3600, secure: s.env.PUBLIC_URL.startsWith('https://') });
}

export const authRouter = router({
  me: publicProcedure.query(({ ctx }) => ctx.staff),

  setupInfo: publicProcedure.input(z.object({ token: setupToken })).query(({ ctx, input }) => describeSetupLink(ctx.services.db, input.token, ctx.services.now())),

  registerOptions: limitedProcedure
    .input(z.object({ token: setupToken, displayName }))
    .mutation(({ ctx, input }) => startRegistration(ctx.services.db, ctx.services.passkeys, input.token, input.displayName, ctx.services.now())),

  registerVerify: sameOriginProcedure
    .input(z.object({ token: setupToken, displayName, challengeId, response: webauthnResponse }))
    .mutation(async ({ ctx, input }) => {
      const { userId } = await finishRegistration(ctx.services.db, ctx.services.passkeys, input as never, ctx.services.now());
      await startSession(ctx, userId);
      return { ok: true as const };
    }),

  loginOptions: limitedProcedure.mutation(({ ctx }) => startLogin(ctx.services.db, ctx.services.passkeys, ctx.services.now())),

  loginVerify: sameOriginProcedure.input(z.object({ challengeId, response: webauthnResponse })).mutation(async ({ ctx, input }) => {
    const { userId } = await finishLogin(ctx.services.db, ctx.services.passkeys, input as never, ctx.services.now());
    await startSession(ctx, userId);
    await audit(ctx.services.db, ctx.services.now(), 'staff.login', { detail: userId });
    return { ok: true as const };
  }),

  logout: sameOriginProcedure.mutation(async ({ ctx }) => {
    await endStaffSession(ctx.services.db, ctx.cookies[STAFF_COOKIE]);
    setCookie(ctx.res, STAFF_COOKIE, '', { maxAgeSeconds: 0, secure: ctx.services.env.PUBLIC_URL.startsWith('https://') });
    return { ok: true as const };
  }),

  /** An administrator invites a colleague with a one-time setup link. */
  invite: staffProcedure.mutation(async ({ ctx }) => {
    if (ctx.staff.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'Nur Administratoren können Mitarbeitende einladen.' });
    const s = ctx.services;
    const url = await createSetupLink(s.db, ctx.staff.practiceId, s.env.PUBLIC_URL, s.now(), s.env.SETUP_LINK_HOURS, 'staff');
    return { url };
  }),
});
