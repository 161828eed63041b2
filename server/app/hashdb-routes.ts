/**
 * The eGK hash-database admin API (gematik's I_PoPP_EHC_CertHash_Import): upload a signed file,
 * ask for its job's status, delete a finished job. gematik secures it with mTLS and the role
 * oid_tsp-egk; until the service terminates mTLS itself, a configured admin bearer secret
 * (HASHDB_ADMIN_TOKEN) guards it, compared in constant time. The signer pin of the file itself
 * (server/trust/hashdb/cms.ts) is checked either way: the secret only decides who may upload.
 * Errors are RFC 9457 problem bodies carrying gematik's PoppProblemDetail fields and a stable `code`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { TrustError, isTrustError, type TrustErrorCode } from '../trust/errors';
import { DEFAULT_MAX_IMPORT_BYTES } from '../trust/hashdb/cms';
import type { HashDbImporter, ImportJob } from '../trust/hashdb/importer';

export const HASHDB_IMPORT_PATH = '/api/v1/hash-db/import';

const JOB_ID = /^[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}$/;

/** Codes of the API itself, next to the trust layer's IMPORT_* codes. */
type RouteCode = 'UNAUTHENTICATED' | 'UNSUPPORTED_MEDIA_TYPE' | 'IMPORT_EMPTY' | 'INVALID_JOB_ID' | 'NOT_FOUND' | 'METHOD_NOT_ALLOWED' | 'INTERNAL';

const TITLES: Partial<Record<RouteCode | TrustErrorCode, string>> = {
  UNAUTHENTICATED: 'Nicht angemeldet: Admin-Token fehlt oder ist falsch.',
  UNSUPPORTED_MEDIA_TYPE: 'Die Datei muss als application/octet-stream gesendet werden.',
  IMPORT_EMPTY: 'Keine Datei gesendet.',
  INVALID_JOB_ID: 'Ungültige Auftrags-ID.',
  NOT_FOUND: 'Unbekannter Pfad.',
  METHOD_NOT_ALLOWED: 'Methode nicht erlaubt.',
  INTERNAL: 'Interner Fehler.',
  IMPORT_TOO_LARGE: 'Die Datei ist zu groß.',
  IMPORT_JOB_NOT_FOUND: 'Importauftrag nicht gefunden.',
  IMPORT_JOB_RUNNING: 'Der Importauftrag ist noch nicht abgeschlossen.',
};

export interface HashDbRoutesOptions {
  importer: HashDbImporter;
  /** The bearer secret; at least 32 characters. */
  adminToken: string;
  /** Upload cap (413 above). Default 64 MiB, what the in-memory parser holds. */
  maxBytes?: number;
  now: () => number;
  /** One line per request outcome: codes and job ids only. */
  log?: (line: string) => void;
}

export type HashDbRoutes = (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<boolean>;

const digest = (s: string) => createHash('sha256').update(s).digest();

export function createHashDbRoutes(o: HashDbRoutesOptions): HashDbRoutes {
  if (o.adminToken.length < 32) throw new TrustError('CONFIG_INVALID', 'HASHDB_ADMIN_TOKEN muss mindestens 32 Zeichen lang sein');
  const expected = digest(o.adminToken);
  const maxBytes = o.maxBytes ?? DEFAULT_MAX_IMPORT_BYTES;

  function problem(res: ServerResponse, status: number, code: string, path: string, detail?: string, headers: Record<string, string> = {}): true {
    const title = TITLES[code as RouteCode] ?? code;
    const body = {
      type: 'about:blank',
      title,
      status,
      code,
      ...(detail ? { detail } : {}),
      instance: path,
      // gematik's PoppProblemDetail
      timestamp: new Date(o.now()).toISOString(),
      error: title,
      path,
    };
    o.log?.(`[hashdb] ${status} ${code}`);
    if (res.headersSent) res.end();
    else res.writeHead(status, { 'content-type': 'application/problem+json', ...headers }).end(JSON.stringify(body));
    return true;
  }

  function fromError(res: ServerResponse, e: unknown, path: string): true {
    if (isTrustError(e)) return problem(res, e.httpStatus, e.code, path, e.code === 'IMPORT_TOO_LARGE' ? `Höchstens ${maxBytes} Bytes.` : undefined);
    console.error('[hashdb] Fehler:', (e as Error).message);
    return problem(res, 500, 'INTERNAL', path);
  }

  function authorized(req: IncomingMessage): boolean {
    const h = req.headers.authorization;
    const m = typeof h === 'string' ? /^Bearer ([\x21-\x7e]+)$/.exec(h) : null;
    // Hashing first makes the comparison constant-time whatever the presented length.
    return m !== null && timingSafeEqual(digest(m[1]!), expected);
  }

  /** Reads the body up to the cap; null when it grew past it (the rest is not read). */
  function readBody(req: IncomingMessage): Promise<Buffer | null> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      let over = false;
      req.on('data', (c: Buffer) => {
        if (over) return;
        size += c.length;
        if (size > maxBytes) {
          over = true;
          chunks.length = 0;
          req.pause();
          resolve(null);
          return;
        }
        chunks.push(c);
      });
      req.on('end', () => !over && resolve(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  async function upload(req: IncomingMessage, res: ServerResponse, path: string): Promise<true> {
    const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/octet-stream') return problem(res, 415, 'UNSUPPORTED_MEDIA_TYPE', path);
    const declared = Number(req.headers['content-length'] ?? '-1');
    // Refused before reading: the connection closes, so the client stops sending.
    if (declared > maxBytes) return problem(res, 413, 'IMPORT_TOO_LARGE', path, `Höchstens ${maxBytes} Bytes.`, { connection: 'close' });
    const body = await readBody(req);
    if (body === null) return problem(res, 413, 'IMPORT_TOO_LARGE', path, `Höchstens ${maxBytes} Bytes.`, { connection: 'close' });
    if (body.length === 0) return problem(res, 400, 'IMPORT_EMPTY', path);
    const { jobId } = await o.importer.submit(new Uint8Array(body.buffer, body.byteOffset, body.byteLength), 'import');
    o.log?.(`[hashdb] 201 job ${jobId}`);
    res.writeHead(201, { 'content-type': 'application/json', location: `${HASHDB_IMPORT_PATH}/${jobId}/status` }).end(JSON.stringify({ jobId }));
    return true;
  }

  function statusBody(job: ImportJob) {
    return {
      status: job.status,
      kind: job.kind,
      entries: job.entries,
      imported: job.imported,
      removed: job.removed,
      notFound: job.not_found,
      signer: job.signer,
      ...(job.error_code ? { errorCode: job.error_code, errorMessage: job.error_message } : {}),
      createdAt: new Date(job.created_at).toISOString(),
      finishedAt: job.finished_at === null ? null : new Date(job.finished_at).toISOString(),
    };
  }

  return async (req, res, path) => {
    if (path !== HASHDB_IMPORT_PATH && !path.startsWith('/api/v1/hash-db/')) return false;
    try {
      if (!authorized(req)) return problem(res, 401, 'UNAUTHENTICATED', path, undefined, { 'www-authenticate': 'Bearer realm="popp-hash-db"' });
      if (path === HASHDB_IMPORT_PATH) {
        if (req.method !== 'POST') return problem(res, 405, 'METHOD_NOT_ALLOWED', path, undefined, { allow: 'POST' });
        return await upload(req, res, path);
      }
      const m = /^\/api\/v1\/hash-db\/import\/([^/]+)(\/status)?$/.exec(path);
      if (!m) return problem(res, 404, 'NOT_FOUND', path);
      const [, jobId, status] = m;
      if (!JOB_ID.test(jobId!)) return problem(res, 400, 'INVALID_JOB_ID', path);
      if (status) {
        if (req.method !== 'GET') return problem(res, 405, 'METHOD_NOT_ALLOWED', path, undefined, { allow: 'GET' });
        const job = await o.importer.status(jobId!.toLowerCase());
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(statusBody(job)));
        return true;
      }
      if (req.method !== 'DELETE') return problem(res, 405, 'METHOD_NOT_ALLOWED', path, undefined, { allow: 'DELETE' });
      await o.importer.deleteJob(jobId!.toLowerCase());
      o.log?.(`[hashdb] 204 job ${jobId} deleted`);
      res.writeHead(204).end();
      return true;
    } catch (e) {
      return fromError(res, e, path);
    }
  };
}
