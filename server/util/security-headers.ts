import type { ServerResponse } from 'node:http';

/**
 * Headers for every response the service writes itself (tRPC, IdP pages, well-known,
 * verify). Next.js pages get theirs from next.config.js; both say the same.
 */
export function setSecurityHeaders(res: ServerResponse, production: boolean): void {
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('content-security-policy', "frame-ancestors 'none'");
  if (production) res.setHeader('strict-transport-security', 'max-age=31536000');
}
