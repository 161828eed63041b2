/**
 * tRPC: context, error formatting and the ladder of procedures. Each rung adds one
 * guarantee: public → sameOrigin (state changes only from our own pages) → staff
 * (a valid passkey session, which also names the practice).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { poppCodeOf, toTrpcError } from '../errors/wire';
import { readInsuredIdentity, parseCookies } from '../identity/gesundheitsid';
import { resolveStaffSession, STAFF_COOKIE, type StaffPrincipal } from '../identity/staff-session';
import type { Services } from '../app/services';

export async function createContext(services: Services, req: IncomingMessage, res: ServerResponse) {
  const cookies = parseCookies(req.headers.cookie);
  const staff = await resolveStaffSession(services.db, cookies[STAFF_COOKIE], services.now());
  return {
    services,
    req,
    res,
    cookies,
    staff,
    /** Read lazily: most calls do not concern the insured person. */
    insured: () => readInsuredIdentity(req, services.gidSecret),
  };
}
export type Context = Awaited<ReturnType<typeof createContext>>;

const t = initTRPC.context<Context>().create({
  sse: { ping: { enabled: true, intervalMs: 15_000 }, client: { reconnectAfterInactivityMs: 40_000 } },
  errorFormatter({ shape, error }) {
    return {
      ...shape,
      data: {
        ...shape.data,
        stack: undefined,
        poppCode: poppCodeOf(error.cause) ?? poppCodeOf(error),
        zodIssues: error.cause instanceof ZodError ? error.cause.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) : undefined,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Domain errors thrown in handlers become typed tRPC errors here, in one place. */
const mapErrors = t.middleware(async ({ next }) => {
  const r = await next();
  if (r.ok || r.error.code !== 'INTERNAL_SERVER_ERROR' || !r.error.cause) return r;
  const mapped = toTrpcError(r.error.cause);
  if (mapped.code === 'INTERNAL_SERVER_ERROR') {
    // Message only: causes may carry request data, and logs must never hold a KVNR or a token.
    console.error('[trpc] interner Fehler:', r.error.cause.message);
  }
  return { ...r, error: mapped };
});

export const publicProcedure = t.procedure.use(mapErrors);

/** Browsers always send Origin on POST; a foreign one means a cross-site request. */
export const sameOriginProcedure = publicProcedure.use(({ ctx, type, next }) => {
  const origin = ctx.req.headers.origin;
  if (type === 'mutation' && origin && !ctx.services.env.allowedOrigins.includes(origin)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'Anfrage von fremder Herkunft abgelehnt.' });
  }
  return next();
});

/** Calls that create server-side state for anonymous clients (passkey challenges, logins): counted per client. */
export const limitedProcedure = sameOriginProcedure.use(({ ctx, next }) => {
  if (!ctx.services.limitClient(ctx.req)) throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: 'Zu viele Versuche. Bitte eine Minute warten.' });
  return next();
});

export const staffProcedure = sameOriginProcedure.use(({ ctx, next }) => {
  if (!ctx.staff) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Bitte mit Passkey anmelden.' });
  return next({ ctx: { ...ctx, staff: ctx.staff as StaffPrincipal } });
});
