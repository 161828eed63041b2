/**
 * OCSP responder for the project's test PKI (RFC 6960, POST and GET): answers with the status
 * configured per serial, signed by the CA itself or by a delegated responder, and can be made
 * slow, unreachable or dishonest so that every refusal path of the checker runs for real.
 * Test environments only: it signs whatever status it is told to.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bitString, explicit, generalizedTime, octets, oid, seq, tlv } from '../der';
import { OID } from '../oids';
import { toHex, type TrustCert } from '../x509/certificate';
import { issueCertificate } from '../testing/certs';
import type { CertId } from './certid';
import { decodeOcspRequest, encodeCertId } from './request';

export type ResponderMode =
  | 'normal'
  | 'slow' // answers after delayMs
  | 'down' // drops the connection
  | 'http-error' // HTTP 500
  | 'try-later' // OCSPResponseStatus tryLater
  | 'forged' // claims to be the CA, signed with another key
  | 'stranger' // signed by a self-made responder certificate it includes
  | 'stale' // nextUpdate in the past
  | 'other-cert' // answers for a different serial
  | 'wrong-nonce'
  | 'garbage';

export interface CertStatusSpec {
  status: 'good' | 'revoked' | 'unknown';
  revocationTime?: Date;
}

export interface Signing {
  cert: TrustCert;
  key: KeyObject;
}

export interface OcspResponderOptions {
  issuer: Signing;
  /** Delegated responder (issued by `issuer` with id-kp-OCSPSigning); default: the CA signs. */
  signer?: Signing;
  now: () => Date;
  /** Status of serials nobody registered. Default 'unknown', as a real CA answers for serials it never issued. */
  defaultStatus?: CertStatusSpec['status'];
  /** nextUpdate − thisUpdate; null leaves nextUpdate out. Default 1 h. */
  validityMs?: number | null;
  mode?: ResponderMode;
  delayMs?: number;
}

export class OcspResponder {
  private readonly statuses = new Map<string, CertStatusSpec>();
  private readonly certs = new Map<string, TrustCert>();
  private mode: ResponderMode;
  private delayMs: number;
  /** Requests answered so far (cache tests count them). */
  requests = 0;

  constructor(private readonly opts: OcspResponderOptions) {
    this.mode = opts.mode ?? 'normal';
    this.delayMs = opts.delayMs ?? 2_000;
  }

  /** Registers an issued certificate (its CertHash goes into responses) with its status. */
  register(cert: TrustCert, spec: CertStatusSpec = { status: 'good' }): void {
    this.certs.set(cert.serialHex, cert);
    this.statuses.set(cert.serialHex, spec);
  }

  setStatus(serialHex: string, spec: CertStatusSpec): void {
    this.statuses.set(serialHex, spec);
  }

  setMode(mode: ResponderMode, delayMs?: number): void {
    this.mode = mode;
    if (delayMs !== undefined) this.delayMs = delayMs;
  }

  /** The DER OCSPResponse for one DER OCSPRequest, as the current mode dictates. */
  respond(requestDer: Uint8Array): Uint8Array {
    if (this.mode === 'garbage') return new Uint8Array(randomBytes(40));
    if (this.mode === 'try-later') return seq(tlv(0x0a, Uint8Array.of(3)));
    let req;
    try {
      req = decodeOcspRequest(requestDer);
    } catch {
      return seq(tlv(0x0a, Uint8Array.of(1))); // malformedRequest
    }
    const now = this.opts.now();
    const issuer = this.opts.issuer.cert;
    const mine = req.certIds.filter((id) => {
      const keyHash = createHash(id.hash).update(issuer.publicKeyBits).digest();
      return Buffer.compare(keyHash, Buffer.from(id.issuerKeyHash)) === 0;
    });
    if (mine.length === 0) return seq(tlv(0x0a, Uint8Array.of(6))); // unauthorized: not our CA

    let signing: Signing = this.opts.signer ?? this.opts.issuer;
    let includeCert = this.opts.signer !== undefined;
    if (this.mode === 'forged') signing = { cert: issuer, key: generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' }).privateKey };
    if (this.mode === 'stranger') {
      signing = strangerResponder(now);
      includeCert = true;
    }
    const stale = this.mode === 'stale';
    const thisUpdate = new Date(now.getTime() - (stale ? 2 * 86_400_000 : 0));
    const validity = this.opts.validityMs === undefined ? 3_600_000 : this.opts.validityMs;
    const nextUpdate = stale ? new Date(now.getTime() - 86_400_000) : validity === null ? undefined : new Date(thisUpdate.getTime() + validity);
    const singles = mine.map((id) => this.single(this.mode === 'other-cert' ? { ...id, serial: bump(id.serial) } : id, thisUpdate, nextUpdate));
    const nonce = this.mode === 'wrong-nonce' ? new Uint8Array(randomBytes(16)) : req.nonce;
    const tbs = seq(
      explicit(1, signing.cert.subjectDer),
      generalizedTime(now),
      seq(...singles),
      ...(nonce ? [explicit(1, seq(seq(oid(OID.ocspNonce), octets(octets(nonce)))))] : []),
    );
    const signature = new Uint8Array(sign('sha256', tbs, { key: signing.key, dsaEncoding: 'der' }));
    const basic = seq(tbs, seq(oid(OID.ecdsaSha256)), bitString(signature), ...(includeCert ? [explicit(0, seq(signing.cert.der))] : []));
    return seq(tlv(0x0a, Uint8Array.of(0)), explicit(0, seq(oid(OID.ocspBasic), octets(basic))));
  }

  private single(id: CertId, thisUpdate: Date, nextUpdate: Date | undefined): Uint8Array {
    const serialHex = toHex(id.serial);
    const spec = this.statuses.get(serialHex) ?? { status: this.opts.defaultStatus ?? 'unknown' };
    const status =
      spec.status === 'good' ? tlv(0x80) : spec.status === 'revoked' ? tlv(0xa1, generalizedTime(spec.revocationTime ?? thisUpdate)) : tlv(0x82);
    const cert = this.certs.get(serialHex);
    const certHash = cert ? explicit(1, seq(seq(oid(OID.certHash), octets(seq(seq(oid(OID.sha256)), octets(createHash('sha256').update(cert.der).digest())))))) : undefined;
    return seq(
      encodeCertId(id),
      status,
      generalizedTime(thisUpdate),
      ...(nextUpdate ? [explicit(0, generalizedTime(nextUpdate))] : []),
      ...(certHash ? [certHash] : []),
    );
  }

  /** node:http handler: POST application/ocsp-request, or GET /<base64(request)> (RFC 6960 Appendix A). */
  readonly handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (this.mode === 'down') {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 65_536) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      let body: Buffer;
      try {
        body = req.method === 'GET' ? Buffer.from(decodeURIComponent((req.url ?? '/').split('/').pop() ?? ''), 'base64') : Buffer.concat(chunks);
      } catch {
        // A broken %-escape in a GET request: answer it, never throw out of the event handler.
        res.writeHead(400).end();
        return;
      }
      const send = () => {
        this.requests++;
        if (this.mode === 'http-error') {
          res.writeHead(500).end();
          return;
        }
        const out = this.respond(new Uint8Array(body));
        res.writeHead(200, { 'content-type': 'application/ocsp-response', 'content-length': out.length }).end(Buffer.from(out));
      };
      if (this.mode === 'slow') setTimeout(send, this.delayMs).unref();
      else send();
    });
  };
}

function bump(serial: Uint8Array): Uint8Array {
  const b = Uint8Array.from(serial);
  b[b.length - 1] = (b[b.length - 1]! + 1) & 0xff;
  return b;
}

let stranger: Signing | undefined;
/** A self-signed OCSP signer nobody trusts, made once per process. */
function strangerResponder(now: Date): Signing {
  stranger ??= issueCertificate({
    subject: [['C', 'DE'], ['CN', 'Stranger OCSP Responder']],
    notBefore: new Date(now.getTime() - 86_400_000),
    notAfter: new Date(now.getTime() + 365 * 86_400_000),
    extKeyUsage: [OID.kpOcspSigning],
  });
  return stranger;
}

export interface RunningResponder {
  url: string;
  close(): Promise<void>;
}

/** Serves the responder on 127.0.0.1 at a free port. */
export async function listenOcspResponder(responder: OcspResponder, path = '/ocsp'): Promise<RunningResponder> {
  const server = createServer(responder.handler);
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
