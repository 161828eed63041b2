/**
 * Who may talk to the bridge. The Origin header is set by the browser and
 * cannot be forged by a web page, so a foreign site is refused before any
 * message; the Host check keeps DNS-rebinding pages (evil.example resolving to
 * 127.0.0.1) out even when they share an allowed origin's port.
 */
export const DEFAULT_ALLOWED_ORIGINS = ['http://localhost:3000'];

export function normaliseOrigin(origin: string): string | undefined {
  try {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

export function isAllowedOrigin(origin: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return false;
  const o = normaliseOrigin(origin);
  return o !== undefined && allowed.some((a) => normaliseOrigin(a) === o);
}

export function isLoopbackHost(host: string | undefined, port: number): boolean {
  if (!host) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}
