import type { ServerResponse } from 'node:http';

export function setCookie(res: ServerResponse, name: string, value: string, opts: { maxAgeSeconds: number; secure: boolean }): void {
  const parts = [`${name}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${Math.max(0, Math.floor(opts.maxAgeSeconds))}`];
  if (opts.secure) parts.push('Secure');
  res.appendHeader('set-cookie', parts.join('; '));
}
