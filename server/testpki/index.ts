export { createTestPki, issueServiceIdentity, issueCard, type TestPki, type ServiceIdentity, type TestCard, type CardState } from './pki';
export { writeCardImageXml, type GeneratedCardContent } from './card-image-xml';
export { issueX509, type IssueX509, type X509Key, type NameAttr } from './x509';
export { kvnrCheckDigit, isValidKvnr, testKvnr } from './kvnr';
export { writeDevTrust, type DevTrustSummary } from './write';
