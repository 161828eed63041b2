/**
 * Sends one OCSP request over HTTP (RFC 6960 Appendix A.1, POST). Errors say which of the
 * three failures it was, because they map to different BDE codes: no connection (79112), an
 * HTTP or protocol error from the responder (79112), or our deadline (79113, decided by the
 * caller through the abort signal).
 */
import { TrustError } from '../errors';

export type OcspTransport = (url: string, request: Uint8Array, signal: AbortSignal) => Promise<Uint8Array>;

/** An OCSP response is a few kilobytes; anything far larger is not one. */
const MAX_RESPONSE_BYTES = 64 * 1024;

export const httpTransport: OcspTransport = async (url, request, signal) => {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      body: new Uint8Array(request) as Uint8Array<ArrayBuffer>,
      headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
      signal,
      redirect: 'error',
    });
  } catch (e) {
    if (signal.aborted) throw e;
    const cause = (e as { cause?: { code?: string } }).cause;
    throw new TrustError('OCSP_UNREACHABLE', `OCSP-Responder ${url} nicht erreichbar${cause?.code ? ` (${cause.code})` : ''}`, { cause: e });
  }
  if (res.status !== 200) {
    await res.body?.cancel().catch(() => undefined);
    throw new TrustError('OCSP_RESPONDER_ERROR', `OCSP-Responder ${url} antwortet HTTP ${res.status}`, { details: { httpStatus: res.status } });
  }
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > MAX_RESPONSE_BYTES) {
    await res.body?.cancel().catch(() => undefined);
    throw new TrustError('OCSP_RESPONSE_MALFORMED', `OCSP-Antwort zu groß (${declared} Bytes)`);
  }
  let body: ArrayBuffer;
  try {
    body = await res.arrayBuffer();
  } catch (e) {
    if (signal.aborted) throw e;
    throw new TrustError('OCSP_UNREACHABLE', `OCSP-Antwort von ${url} abgebrochen`, { cause: e });
  }
  if (body.byteLength > MAX_RESPONSE_BYTES) throw new TrustError('OCSP_RESPONSE_MALFORMED', `OCSP-Antwort zu groß (${body.byteLength} Bytes)`);
  return new Uint8Array(body);
};
