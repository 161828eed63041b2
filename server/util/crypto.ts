import { createHash, randomBytes, randomUUID } from 'node:crypto';

export const sha256b64u = (value: string | Uint8Array): string => createHash('sha256').update(value).digest('base64url');
export const randomToken = (bytes: number): string => randomBytes(bytes).toString('base64url');
export const newId = (): string => randomUUID();
