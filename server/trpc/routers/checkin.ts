import { tracked } from '@trpc/server';
import { z } from 'zod';
import { createConsentCode, withdrawCheckin } from '../../checkin/consent';
import { effectiveState, listCheckins, type CheckinRow } from '../../checkin/records';
import { TRPCError } from '@trpc/server';
import { resolveStaffSession, STAFF_COOKIE } from '../../identity/staff-session';
import { router, staffProcedure } from '../init';

const SESSION_RECHECK_MS = 10_000;

/** A workplace id as gematik's static QR carries it (`wpid`): short, printable. */
const workplaceId = z.string().trim().regex(/^[A-Za-z0-9._-]{1,64}$/).optional();

export interface CheckinView {
  id: string;
  flow: CheckinRow['flow'];
  state: CheckinRow['state'];
  reason: CheckinRow['reason'];
  workplaceId: string | null;
  createdAt: number;
  expiresAt: number | null;
  updatedAt: number;
  displayName: string | null;
  token: string | null;
}

function toView(row: CheckinRow, now: number): CheckinView {
  const { state, reason } = effectiveState(row, now);
  return {
    id: row.id,
    flow: row.flow,
    state,
    reason,
    workplaceId: row.workplace_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    updatedAt: row.updated_at,
    displayName: row.display_name,
    token: state === 'success' ? row.token : null,
  };
}

export const checkinRouter = router({
  createConsentCode: staffProcedure.input(z.object({ workplaceId })).mutation(async ({ ctx, input }) => {
    const s = ctx.services;
    const r = await createConsentCode(s, s.consent, ctx.staff.practiceId, input.workplaceId ?? null);
    return { checkinId: r.checkin.id, code: r.code, url: r.url, expiresAt: r.expiresAt, ttlSeconds: s.consent.codeTtlSeconds };
  }),

  list: staffProcedure.query(async ({ ctx }) => {
    const now = ctx.services.now();
    return (await listCheckins(ctx.services.db, ctx.staff.practiceId)).map((r) => toView(r, now));
  }),

  withdraw: staffProcedure.input(z.object({ checkinId: z.string().uuid() })).mutation(async ({ ctx, input }) => {
    await withdrawCheckin(ctx.services, ctx.staff.practiceId, input.checkinId);
    return { ok: true as const };
  }),

  /**
   * Live list over SSE: a full snapshot on connect and after every change of this
   * practice's check-ins. Snapshots (≤ 50 rows) keep the client trivially correct
   * after reconnects; bursts of changes are coalesced into one snapshot.
   */
  live: staffProcedure.subscription(async function* ({ ctx, signal }) {
    const s = ctx.services;
    let pending = true;
    let wake: (() => void) | null = null;
    const unsubscribe = s.bus.subscribe(ctx.staff.practiceId, () => {
      pending = true;
      wake?.();
    });
    let seq = 0;
    // The session was checked when the stream opened; logout or expiry must end it too.
    const recheck = setInterval(() => wake?.(), SESSION_RECHECK_MS);
    try {
      while (!signal?.aborted) {
        const still = await resolveStaffSession(s.db, ctx.cookies[STAFF_COOKIE], s.now());
        if (!still || still.practiceId !== ctx.staff.practiceId) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sitzung beendet.' });
        if (!pending) {
          await new Promise<void>((resolve) => {
            wake = resolve;
            signal?.addEventListener('abort', () => resolve(), { once: true });
          });
          wake = null;
          continue;
        }
        pending = false;
        const now = s.now();
        const rows = (await listCheckins(s.db, ctx.staff.practiceId)).map((r) => toView(r, now));
        yield tracked(String(++seq), rows);
      }
    } finally {
      clearInterval(recheck);
      unsubscribe();
    }
  }),
});
