import type { IncomingMessage } from 'node:http';
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
  /** False when this client started too many logins or passkey ceremonies within a minute. */
  limitClient(req: IncomingMessage): boolean;
  consent: ConsentConfig;
  /** next-auth's secret: decodes the insured person's session cookie. */
  gidSecret: string;
}
