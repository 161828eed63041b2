/**
 * What each consumer adds on top of a cryptographically valid token with a valid claim set
 * (popp-reference.md §1, "How a Fachdienst verifies"). Bounds are inclusive.
 */
import type { PoppClaims } from '../popp/token/claims';
import { endOfUtcQuarter } from '../popp/token/time';
import { refuse, type Refusal } from './codes';

export const PROFILES = ['erezept', 'vsdm', 'epa', 'basic'] as const;
export type Profile = (typeof PROFILES)[number];

export interface ProfileSettings {
  /** E-Rezept: now − iat ≤ this (A_26452, configurable per A_23399). */
  erezeptMaxAgeSeconds: number;
  /** Clock leeway: iat may lie this far in the future; VSDM/ePA accept this long after the quarter. */
  leewaySeconds: number;
}
export const DEFAULT_PROFILE_SETTINGS: ProfileSettings = { erezeptMaxAgeSeconds: 30 * 60, leewaySeconds: 60 };

export interface ProfileCheck {
  ok: true;
  /** Last second (Unix) at which this profile still accepts the token; null = no time bound. */
  validUntil: number | null;
}

export function checkProfile(profile: Profile, claims: PoppClaims, now: number, actorId: string | undefined, s: ProfileSettings): ProfileCheck | Refusal {
  // E-Rezept compares with the caller's Telematik-ID from its access token; the others do when given one (the PEP compares with sub).
  if (profile === 'erezept' && actorId === undefined) return refuse('actor_required', 'the E-Rezept profile needs the caller\'s Telematik-ID');
  if (actorId !== undefined && claims.actorId !== actorId) return refuse('actor_mismatch', 'actorId is not the caller\'s Telematik-ID');
  let validUntil: number | null;
  switch (profile) {
    case 'erezept':
      validUntil = claims.iat + s.erezeptMaxAgeSeconds;
      break;
    case 'vsdm':
    case 'epa':
      // The ePA window is not specified [NF]; the quarter bound lets the replay store forget.
      validUntil = endOfUtcQuarter(claims.iat) + s.leewaySeconds;
      break;
    case 'basic':
      validUntil = null;
      break;
  }
  if (validUntil !== null && now > validUntil) return refuse('token_expired', `token no longer accepted under the ${profile} profile`);
  return { ok: true, validUntil };
}
