/**
 * Practice staff log in with passkeys only: no passwords to phish or reuse. The
 * first credential is enrolled through a one-time setup link; later logins use
 * discoverable credentials, so staff never type a user name either.
 */
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { DB } from '../store/db';
import { audit } from '../store/audit';
import { newId, randomToken, sha256b64u } from '../util/crypto';
import { IdentityError } from './errors';

export interface PasskeyConfig {
  rpName: string;
  /** Host name of PUBLIC_URL: WebAuthn refuses IP addresses, hence `localhost` in development. */
  rpId: string;
  origins: string[];
}

const CHALLENGE_TTL_MS = 5 * 60_000;

async function usableSetupToken(db: DB, token: string, now: number) {
  const row = await db.selectFrom('setup_tokens').selectAll().where('token_hash', '=', sha256b64u(token)).executeTakeFirst();
  if (!row) throw new IdentityError('SETUP_LINK_INVALID', 'Dieser Einrichtungslink ist ungültig.');
  if (row.used_at !== null) throw new IdentityError('SETUP_LINK_USED', 'Dieser Einrichtungslink wurde bereits verwendet.');
  if (row.expires_at <= now) throw new IdentityError('SETUP_LINK_EXPIRED', 'Dieser Einrichtungslink ist abgelaufen.');
  return row;
}

export async function describeSetupLink(db: DB, token: string, now: number) {
  const row = await usableSetupToken(db, token, now);
  const practice = await db.selectFrom('practices').select(['name', 'telematik_id']).where('id', '=', row.practice_id).executeTakeFirstOrThrow();
  return { practiceName: practice.name, telematikId: practice.telematik_id, role: row.role };
}

export async function startRegistration(db: DB, cfg: PasskeyConfig, token: string, displayName: string, now: number) {
  const setup = await usableSetupToken(db, token, now);
  const options = await generateRegistrationOptions({
    rpName: cfg.rpName,
    rpID: cfg.rpId,
    userName: displayName,
    userDisplayName: displayName,
    userID: new TextEncoder().encode(randomToken(16)),
    attestationType: 'none',
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    supportedAlgorithmIDs: [-7, -257],
  });
  const challengeId = newId();
  await db
    .insertInto('webauthn_challenges')
    .values({ id: challengeId, challenge: options.challenge, purpose: 'register', subject: setup.token_hash, expires_at: now + CHALLENGE_TTL_MS })
    .execute();
  return { challengeId, options };
}

async function takeChallenge(db: DB, id: string, purpose: 'register' | 'login', now: number) {
  // Deleting first makes every challenge single use, even if verification then fails.
  const row = await db.deleteFrom('webauthn_challenges').where('id', '=', id).where('purpose', '=', purpose).returningAll().executeTakeFirst();
  if (!row || row.expires_at <= now) throw new IdentityError('PASSKEY_CHALLENGE_EXPIRED', 'Die Anmeldung hat zu lange gedauert. Bitte erneut versuchen.');
  return row;
}

export async function finishRegistration(
  db: DB,
  cfg: PasskeyConfig,
  input: { token: string; challengeId: string; displayName: string; response: RegistrationResponseJSON },
  now: number,
): Promise<{ userId: string }> {
  const setup = await usableSetupToken(db, input.token, now);
  const ch = await takeChallenge(db, input.challengeId, 'register', now);
  if (ch.subject !== setup.token_hash) throw new IdentityError('PASSKEY_REJECTED', 'Diese Registrierung gehört zu einem anderen Einrichtungslink.');
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response: input.response,
      expectedChallenge: ch.challenge,
      expectedOrigin: cfg.origins,
      expectedRPID: cfg.rpId,
      requireUserVerification: true,
    });
  } catch (e) {
    throw new IdentityError('PASSKEY_REJECTED', 'Der Passkey konnte nicht geprüft werden.', { cause: e });
  }
  if (!verification.verified || !verification.registrationInfo) throw new IdentityError('PASSKEY_REJECTED', 'Der Passkey wurde nicht bestätigt.');
  const { credential } = verification.registrationInfo;
  const userId = newId();
  await db.transaction().execute(async (trx) => {
    const used = await trx.updateTable('setup_tokens').set({ used_at: now }).where('token_hash', '=', setup.token_hash).where('used_at', 'is', null).executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) throw new IdentityError('SETUP_LINK_USED', 'Dieser Einrichtungslink wurde bereits verwendet.');
    await trx
      .insertInto('staff_users')
      .values({ id: userId, practice_id: setup.practice_id, display_name: input.displayName, role: setup.role, webauthn_user_id: randomToken(16), created_at: now })
      .execute();
    await trx
      .insertInto('webauthn_credentials')
      .values({
        id: credential.id,
        user_id: userId,
        public_key: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: JSON.stringify(credential.transports ?? []),
        created_at: now,
        last_used_at: null,
      })
      .execute();
  });
  await audit(db, now, 'staff.enrolled', { practiceId: setup.practice_id, detail: userId });
  return { userId };
}

export async function startLogin(db: DB, cfg: PasskeyConfig, now: number) {
  const options = await generateAuthenticationOptions({ rpID: cfg.rpId, userVerification: 'required' });
  const challengeId = newId();
  await db.insertInto('webauthn_challenges').values({ id: challengeId, challenge: options.challenge, purpose: 'login', subject: null, expires_at: now + CHALLENGE_TTL_MS }).execute();
  return { challengeId, options };
}

export async function finishLogin(
  db: DB,
  cfg: PasskeyConfig,
  input: { challengeId: string; response: AuthenticationResponseJSON },
  now: number,
): Promise<{ userId: string }> {
  const ch = await takeChallenge(db, input.challengeId, 'login', now);
  const cred = await db.selectFrom('webauthn_credentials').selectAll().where('id', '=', input.response.id).executeTakeFirst();
  if (!cred) throw new IdentityError('PASSKEY_UNKNOWN', 'Dieser Passkey ist hier nicht registriert.');
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response: input.response,
      expectedChallenge: ch.challenge,
      expectedOrigin: cfg.origins,
      expectedRPID: cfg.rpId,
      requireUserVerification: true,
      credential: {
        id: cred.id,
        publicKey: new Uint8Array(Buffer.from(cred.public_key, 'base64url')),
        counter: Number(cred.counter),
        transports: JSON.parse(cred.transports) as never,
      },
    });
  } catch (e) {
    throw new IdentityError('PASSKEY_REJECTED', 'Der Passkey konnte nicht geprüft werden.', { cause: e });
  }
  if (!verification.verified) throw new IdentityError('PASSKEY_REJECTED', 'Der Passkey wurde nicht bestätigt.');
  await db.updateTable('webauthn_credentials').set({ counter: verification.authenticationInfo.newCounter, last_used_at: now }).where('id', '=', cred.id).execute();
  return { userId: cred.user_id };
}
