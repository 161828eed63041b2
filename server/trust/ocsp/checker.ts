/**
 * Online status of one certificate: OCSP address from the TSL service entry of its CA (the
 * certificate's AIA only when the TSL names none), one request with a deadline (gematik's IDP
 * service aborts after 1,100 ms, A_21340-01), a verified answer, cached until nextUpdate.
 */
import { randomBytes } from 'node:crypto';
import { TrustError } from '../errors';
import type { HashName } from '../oids';
import type { TrustCert } from '../x509/certificate';
import { OcspCache } from './cache';
import { certIdFor, statusKey } from './certid';
import { encodeOcspRequest } from './request';
import { parseOcspResponse } from './response';
import { httpTransport, type OcspTransport } from './transport';
import { verifyOcspResponse, type OcspStatus } from './verify';

export const DEFAULT_OCSP_TIMEOUT_MS = 1_100;

export interface OcspCheckerOptions {
  transport?: OcspTransport;
  /** Deadline for the whole exchange (connect, send, receive). Default 1,100 ms. */
  timeoutMs?: number;
  /** CertID hash: SHA-1 per RFC 6960 unless a responder wants SHA-256. */
  hash?: HashName;
  /** Send a nonce (RFC 8954). Default true; a response without one is accepted unless requireNonce. */
  sendNonce?: boolean;
  requireNonce?: boolean;
  requireCertHash?: boolean;
  toleranceMs?: number;
  maxAgeWithoutNextUpdateMs?: number;
  /** Pass false to disable caching (benchmarks of the uncached path). */
  cache?: OcspCache | false;
}

export interface OcspCheckInput {
  cert: TrustCert;
  ca: { cert: TrustCert; ocspUrls: readonly string[] };
  now: Date;
  /** OCSP responders listed in the TSL: authorized besides the CA and its delegates. */
  tslResponders?: readonly TrustCert[];
}

export interface OcspOutcome extends OcspStatus {
  source: 'live' | 'cache';
  url: string;
}

export class OcspChecker {
  readonly cache: OcspCache | null;
  private readonly inflight = new Map<string, Promise<OcspOutcome>>();

  constructor(private readonly opts: OcspCheckerOptions = {}) {
    this.cache = opts.cache === false ? null : (opts.cache ?? new OcspCache());
  }

  /** The OCSP address: the TSL's entry for the CA first, the certificate's AIA only as fallback. */
  static urlFor(input: Pick<OcspCheckInput, 'cert' | 'ca'>): string {
    const url = input.ca.ocspUrls[0] ?? input.cert.ocspUrls().find((u) => /^https?:\/\//i.test(u));
    if (!url) throw new TrustError('OCSP_NO_RESPONDER', `Weder TSL noch Zertifikat nennen einen OCSP-Responder für ${input.ca.cert.subjectCn ?? '?'}`);
    return url;
  }

  /** Verified status (good, revoked or unknown); throws when no trustworthy answer arrives. */
  async status(input: OcspCheckInput): Promise<OcspOutcome> {
    const key = statusKey(input.cert, input.ca.cert);
    const cached = this.cache?.get(key, input.now);
    if (cached) return { ...cached.status, source: 'cache', url: cached.url };
    const running = this.inflight.get(key);
    if (running) return running;
    const p = this.fetchStatus(input, key).finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  /** Like status(), but only "good" returns: revoked → OCSP_REVOKED, unknown → OCSP_UNKNOWN (both 79117). */
  async check(input: OcspCheckInput): Promise<OcspOutcome> {
    const out = await this.status(input);
    if (out.status === 'revoked') {
      throw new TrustError('OCSP_REVOKED', `Zertifikat ${input.cert.serialHex} ist gesperrt`, {
        details: { serial: input.cert.serialHex, revocationTime: out.revocationTime?.toISOString() },
      });
    }
    if (out.status === 'unknown') throw new TrustError('OCSP_UNKNOWN', `Zertifikat ${input.cert.serialHex} ist dem OCSP-Responder unbekannt`);
    return out;
  }

  private async fetchStatus(input: OcspCheckInput, key: string): Promise<OcspOutcome> {
    const url = OcspChecker.urlFor(input);
    const nonce = this.opts.sendNonce === false ? undefined : new Uint8Array(randomBytes(16));
    const request = encodeOcspRequest(certIdFor(input.cert, input.ca.cert, this.opts.hash ?? 'sha1'), nonce);
    const der = await this.exchange(url, request);
    const status = verifyOcspResponse(
      parseOcspResponse(der),
      { issuer: input.ca.cert, serial: input.cert.serial, certDer: input.cert.der },
      {
        now: input.now,
        expectedNonce: nonce,
        requireNonce: this.opts.requireNonce,
        requireCertHash: this.opts.requireCertHash,
        toleranceMs: this.opts.toleranceMs,
        maxAgeWithoutNextUpdateMs: this.opts.maxAgeWithoutNextUpdateMs,
        tslResponders: input.tslResponders,
      },
    );
    if (status.nextUpdate && this.cache) this.cache.set(key, status, url, status.nextUpdate);
    return { ...status, source: 'live', url };
  }

  private async exchange(url: string, request: Uint8Array): Promise<Uint8Array> {
    const timeoutMs = this.opts.timeoutMs ?? DEFAULT_OCSP_TIMEOUT_MS;
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), timeoutMs);
    try {
      return await (this.opts.transport ?? httpTransport)(url, request, ctrl.signal);
    } catch (e) {
      if (ctrl.signal.aborted) {
        throw new TrustError('OCSP_TIMEOUT', `OCSP-Responder ${url} antwortet nicht binnen ${timeoutMs} ms`, { details: { timeoutMs } });
      }
      if (e instanceof TrustError) throw e;
      throw new TrustError('OCSP_UNREACHABLE', `OCSP-Abfrage bei ${url} gescheitert: ${(e as Error).message}`, { cause: e });
    } finally {
      clearTimeout(timer);
    }
  }
}
