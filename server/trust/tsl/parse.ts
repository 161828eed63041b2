/**
 * Reads the parts of a (verified) TSL the trust decision needs: scheme dates and, per TSP
 * service, its type, status, certificates, supply points (OCSP address of a CA) and the
 * extension OIDs (which certificate types a CA may issue, gemSpec_PKI TUC_PKI_018).
 * ETSI TS 119 612 element names; gematik's own service types live under uri.telematik.
 */
import { z } from 'zod';
import { TrustError } from '../errors';
import { TSL_NS, parseXmlStrict } from './xmldsig';

export const SERVICE_TYPE = {
  caPkc: 'http://uri.etsi.org/TrstSvc/Svctype/CA/PKC',
  caCvc: 'http://uri.telematik/TrstSvc/Svctype/CA/CVC',
  ocsp: 'http://uri.etsi.org/TrstSvc/Svctype/Certstatus/OCSP',
} as const;

export const SERVICE_STATUS = {
  inAccord: 'http://uri.etsi.org/TrstSvc/Svcstatus/inaccord',
  revoked: 'http://uri.etsi.org/TrstSvc/Svcstatus/revoked',
} as const;

const isoDate = z.string().datetime({ offset: true }).transform((s) => new Date(s));

const serviceSchema = z.object({
  tspName: z.string(),
  type: z.string().min(1),
  name: z.string(),
  status: z.string().min(1),
  statusStartingTime: isoDate,
  x509Certificates: z.array(z.string().min(1)),
  cvCertificates: z.array(z.string().min(1)),
  supplyPoints: z.array(z.string()),
  extensionOids: z.array(z.string().regex(/^[0-2](\.\d+)+$/)),
});
export type TslService = z.infer<typeof serviceSchema>;

const tslSchema = z.object({
  id: z.string().nullable(),
  sequenceNumber: z.string().regex(/^\d{1,30}$/).transform((s) => BigInt(s)),
  issued: isoDate,
  nextUpdate: isoDate,
  schemeOperator: z.string(),
  services: z.array(serviceSchema),
});
export type ParsedTsl = z.infer<typeof tslSchema>;

function kids(el: Element, local: string): Element[] {
  const out: Element[] = [];
  for (let n = el.firstChild; n; n = n.nextSibling) {
    if (n.nodeType === 1 && (n as Element).localName === local && (n as Element).namespaceURI === TSL_NS) out.push(n as Element);
  }
  return out;
}
const kid = (el: Element | undefined, local: string): Element | undefined => (el ? kids(el, local)[0] : undefined);
const text = (el: Element | undefined): string => (el?.textContent ?? '').trim();
/** A path of single children, e.g. path(info, 'ServiceName', 'Name'). */
const path = (el: Element | undefined, ...names: string[]): Element | undefined => names.reduce<Element | undefined>((e, n) => kid(e, n), el);

function readService(tspName: string, svc: Element): unknown {
  const info = kid(svc, 'ServiceInformation');
  const digitalIds = path(info, 'ServiceDigitalIdentity') ? kids(path(info, 'ServiceDigitalIdentity')!, 'DigitalId') : [];
  const x509 = digitalIds.flatMap((d) => kids(d, 'X509Certificate')).map((e) => text(e).replace(/\s+/g, ''));
  const cvc = digitalIds.flatMap((d) => kids(d, 'Other')).flatMap((o) => kids(o, 'CVCertificate')).map((e) => text(e).replace(/\s+/g, ''));
  const supply = path(info, 'ServiceSupplyPoints');
  const exts = path(info, 'ServiceInformationExtensions');
  return {
    tspName,
    type: text(kid(info, 'ServiceTypeIdentifier')),
    name: text(path(info, 'ServiceName', 'Name')),
    status: text(kid(info, 'ServiceStatus')),
    statusStartingTime: text(kid(info, 'StatusStartingTime')),
    x509Certificates: x509,
    cvCertificates: cvc,
    supplyPoints: supply ? kids(supply, 'ServiceSupplyPoint').map(text) : [],
    extensionOids: exts ? kids(exts, 'Extension').flatMap((x) => kids(x, 'ExtensionOID')).map(text) : [],
  };
}

/** Parses the signed TSL text (the canonical form returned by verifyTslSignature). */
export function parseTsl(signedXml: string): ParsedTsl {
  const root = parseXmlStrict(signedXml).documentElement;
  const scheme = kid(root, 'SchemeInformation');
  const tsps = kid(root, 'TrustServiceProviderList');
  const raw = {
    id: root.getAttribute('Id'),
    sequenceNumber: text(kid(scheme, 'TSLSequenceNumber')),
    issued: text(kid(scheme, 'ListIssueDateTime')),
    nextUpdate: text(path(scheme, 'NextUpdate', 'dateTime')),
    schemeOperator: text(path(scheme, 'SchemeOperatorName', 'Name')),
    services: (tsps ? kids(tsps, 'TrustServiceProvider') : []).flatMap((tsp) => {
      const tspName = text(path(tsp, 'TSPInformation', 'TSPName', 'Name'));
      const services = kid(tsp, 'TSPServices');
      return services ? kids(services, 'TSPService').map((s) => readService(tspName, s)) : [];
    }),
  };
  const parsed = tslSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TrustError('TSL_MALFORMED', `TSL-Inhalt ungültig bei ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`);
  }
  return parsed.data;
}
