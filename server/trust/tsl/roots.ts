/**
 * The TI root CAs (GEM.RCAn) as gematik publishes them in roots.json: one self-signed
 * certificate per generation plus link (cross) certificates to the neighbours. A root is a
 * configured trust anchor: it is trusted because the operator installed this file, so only
 * self-consistency is checked here (self-signature, name as stated).
 */
import { z } from 'zod';
import { TrustError } from '../errors';
import { TrustCert } from '../x509/certificate';

const entrySchema = z.object({
  cert: z.string().min(1),
  cn: z.string().min(1),
  name: z.string(),
  next: z.string(),
  prev: z.string(),
  nva: z.string(),
  nvb: z.string(),
  ski: z.string(),
});
const rootsSchema = z.array(entrySchema).min(1);

export interface TiRoot {
  cn: string;
  cert: TrustCert;
  /** Link certificates published with this root (issued by it for the next / by the previous generation). */
  links: TrustCert[];
}

export function parseRootsJson(json: string | unknown): TiRoot[] {
  let data: unknown = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json);
    } catch (e) {
      throw new TrustError('CONFIG_INVALID', 'roots.json ist kein JSON', { cause: e });
    }
  }
  const parsed = rootsSchema.safeParse(data);
  if (!parsed.success) throw new TrustError('CONFIG_INVALID', `roots.json ungültig: ${parsed.error.issues[0]?.message ?? ''}`);
  return parsed.data.map((e) => {
    const cert = TrustCert.fromBase64(e.cert, `Root ${e.cn}`);
    if (cert.subjectCn !== e.cn) throw new TrustError('CONFIG_INVALID', `roots.json: ${e.cn} nennt ein Zertifikat für ${cert.subjectCn ?? '?'}`);
    if (!cert.isIssuedBy(cert)) throw new TrustError('CONFIG_INVALID', `roots.json: ${e.cn} ist nicht selbstsigniert`);
    const links = [e.next, e.prev].filter((b) => b.length > 0).map((b) => TrustCert.fromBase64(b, `Link-Zertifikat zu ${e.cn}`));
    return { cn: e.cn, cert, links };
  });
}
