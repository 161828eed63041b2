/**
 * Builds and signs small TSLs in gematik's shape (ETSI TS 119 612, enveloped ECDSA signature,
 * exclusive c14n) so the trust store can be tested with lists the tests control: generated CAs,
 * expired lists, other signers. Test use only.
 */
import { SignedXml } from 'xml-crypto';
import { ENVELOPED, EXC_C14N, TSL_NS, withEcdsa } from '../tsl/xmldsig';
import { SERVICE_STATUS, SERVICE_TYPE } from '../tsl/parse';
import type { Issued } from './certs';
import type { TrustCert } from '../x509/certificate';

export interface TslServiceSpec {
  type: 'ca' | 'ocsp' | 'cvc';
  name: string;
  cert?: TrustCert;
  cvc?: Uint8Array;
  status?: 'inaccord' | 'revoked';
  statusStartingTime?: Date;
  supplyPoints?: string[];
  extensionOids?: string[];
}

export interface TslSpec {
  sequenceNumber: number | bigint;
  issued: Date;
  nextUpdate: Date;
  services: TslServiceSpec[];
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function service(s: TslServiceSpec): string {
  const type = s.type === 'ca' ? SERVICE_TYPE.caPkc : s.type === 'ocsp' ? SERVICE_TYPE.ocsp : SERVICE_TYPE.caCvc;
  const id =
    s.type === 'cvc'
      ? `<DigitalId><Other><CVCertificate>${b64(s.cvc ?? new Uint8Array())}</CVCertificate></Other></DigitalId>`
      : `<DigitalId><X509Certificate>${b64(s.cert!.der)}</X509Certificate></DigitalId>`;
  const status = s.status === 'revoked' ? SERVICE_STATUS.revoked : SERVICE_STATUS.inAccord;
  const supply = (s.supplyPoints ?? []).map((u) => `<ServiceSupplyPoint>${esc(u)}</ServiceSupplyPoint>`).join('');
  const exts = (s.extensionOids ?? [])
    .map((o) => `<Extension Critical="false"><ExtensionOID>${o}</ExtensionOID><ExtensionValue>x</ExtensionValue></Extension>`)
    .join('');
  return (
    `<TSPService><ServiceInformation><ServiceTypeIdentifier>${type}</ServiceTypeIdentifier>` +
    `<ServiceName><Name xml:lang="DE">${esc(s.name)}</Name></ServiceName><ServiceDigitalIdentity>${id}</ServiceDigitalIdentity>` +
    `<ServiceStatus>${status}</ServiceStatus><StatusStartingTime>${iso(s.statusStartingTime ?? new Date(0))}</StatusStartingTime>` +
    `<ServiceSupplyPoints>${supply}</ServiceSupplyPoints><ServiceInformationExtensions>${exts}</ServiceInformationExtensions>` +
    `</ServiceInformation></TSPService>`
  );
}

export function buildTslXml(spec: TslSpec): string {
  return (
    `<TrustServiceStatusList xmlns="${TSL_NS}" Id="ID-TEST-${spec.sequenceNumber}" TSLTag="http://uri.etsi.org/02231/TSLTag">` +
    `<SchemeInformation><TSLVersionIdentifier>3</TSLVersionIdentifier><TSLSequenceNumber>${spec.sequenceNumber}</TSLSequenceNumber>` +
    `<SchemeOperatorName><Name xml:lang="DE">popp test TSL TEST-ONLY</Name></SchemeOperatorName>` +
    `<ListIssueDateTime>${iso(spec.issued)}</ListIssueDateTime><NextUpdate><dateTime>${iso(spec.nextUpdate)}</dateTime></NextUpdate>` +
    `</SchemeInformation><TrustServiceProviderList><TrustServiceProvider><TSPInformation><TSPName><Name xml:lang="DE">popp test TSP</Name></TSPName></TSPInformation>` +
    `<TSPServices>${spec.services.map(service).join('')}</TSPServices></TrustServiceProvider></TrustServiceProviderList></TrustServiceStatusList>`
  );
}

export function signTslXml(xml: string, signer: Issued): string {
  const certB64 = b64(signer.cert.der);
  const sx = withEcdsa(
    new SignedXml({
      privateKey: signer.key.export({ type: 'pkcs8', format: 'pem' }).toString(),
      signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
      canonicalizationAlgorithm: EXC_C14N,
      getKeyInfoContent: ({ prefix } = {}) => {
        const p = prefix ? `${prefix}:` : '';
        return `<${p}X509Data><${p}X509Certificate>${certB64}</${p}X509Certificate></${p}X509Data>`;
      },
    }),
  );
  sx.addReference({ xpath: '/*', transforms: [ENVELOPED, EXC_C14N], digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256', isEmptyUri: true });
  sx.computeSignature(xml, { prefix: 'ds', location: { reference: '/*', action: 'append' } });
  return sx.getSignedXml();
}

export const buildSignedTsl = (spec: TslSpec, signer: Issued): string => signTslXml(buildTslXml(spec), signer);
