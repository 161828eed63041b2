/**
 * Quarter arithmetic in UTC. VSDM 2 / the ZETA PEP accept a PoPP token until the end of the
 * calendar quarter of its `iat`, and key retention follows the same window, so both sides
 * must compute the boundary identically (never in local time).
 */

/** The instant (Unix seconds) at which the UTC calendar quarter containing `t` ends, i.e. the first second of the next quarter. */
export function endOfUtcQuarter(t: number): number {
  const d = new Date(t * 1000);
  const nextQuarterMonth = Math.floor(d.getUTCMonth() / 3) * 3 + 3;
  // Date.UTC normalises month 12 into January of the next year.
  return Date.UTC(d.getUTCFullYear(), nextQuarterMonth, 1) / 1000;
}

/** Every `now` in this project's token/key/verifier API returns Unix seconds (like `iat`). */
export type Clock = () => number;

export const nowSeconds = (now?: Clock): number => Math.floor(now ? now() : Date.now() / 1000);
