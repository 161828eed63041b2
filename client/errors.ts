import { TRPCClientError } from '@trpc/client';

/** The stable code of a failed call: the service's own code if it sent one, else the tRPC code. */
export function errorCode(e: unknown): string {
  if (e instanceof TRPCClientError) {
    const data = e.data as { poppCode?: string; code?: string } | undefined;
    if (data?.poppCode) return data.poppCode;
    if (data?.code) return data.code;
    return 'NETWORK';
  }
  if (e instanceof Error && (e.name === 'NotAllowedError' || e.name === 'AbortError')) return 'PASSKEY_CANCELLED';
  return 'INTERNAL';
}
