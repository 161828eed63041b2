import type { ConsentConfig } from '../checkin/consent';
import type { Env } from '../config/env';
import type { EventBus } from '../events/bus';
import type { PasskeyConfig } from '../identity/passkeys';
import type { TokenClaimsInput } from '../popp/issuance';
import type { DB } from '../store/db';

/** Everything request handlers need, built once at start by server/app/create.ts. */
export interface Services {
  env: Env;
  db: DB;
  bus: EventBus;
  now: () => number;
  sign(input: TokenClaimsInput): Promise<string>;
  passkeys: PasskeyConfig;
  consent: ConsentConfig;
  /** next-auth's secret: decodes the insured person's session cookie. */
  gidSecret: string;
}
