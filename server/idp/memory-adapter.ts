/**
 * Storage of the test IdP (sessions, interactions, codes, grants). In memory on
 * purpose: it is a development stand-in for an insurer's IdP, and a restart only
 * ends logins in progress. Entries expire with the TTLs oidc-provider gives them.
 */
type Payload = Record<string, unknown> & { uid?: string; grantId?: string; userCode?: string; consumed?: number };

// Only these models belong to a grant; interactions and sessions also carry a grantId but must outlive its revocation.
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

const store = new Map<string, { payload: Payload; expiresAt: number | null }>();

function get(key: string): Payload | undefined {
  const e = store.get(key);
  if (!e) return undefined;
  if (e.expiresAt !== null && e.expiresAt <= Date.now()) {
    store.delete(key);
    return undefined;
  }
  return e.payload;
}

export class MemoryAdapter {
  constructor(private readonly model: string) {}
  private key(id: string) {
    return `${this.model}:${id}`;
  }
  async upsert(id: string, payload: Payload, expiresIn?: number) {
    store.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null });
    if (payload.grantId && GRANTABLE.has(this.model)) {
      const k = `grant:${payload.grantId}`;
      const list = (get(k)?.keys as string[] | undefined) ?? [];
      store.set(k, { payload: { keys: [...list, this.key(id)] }, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null });
    }
    if (payload.uid) store.set(`uid:${this.model}:${payload.uid}`, { payload: { id }, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null });
    if (payload.userCode) store.set(`uc:${this.model}:${payload.userCode}`, { payload: { id }, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : null });
  }
  async find(id: string) {
    return get(this.key(id));
  }
  async findByUid(uid: string) {
    const ref = get(`uid:${this.model}:${uid}`);
    return ref ? get(this.key(String(ref.id))) : undefined;
  }
  async findByUserCode(userCode: string) {
    const ref = get(`uc:${this.model}:${userCode}`);
    return ref ? get(this.key(String(ref.id))) : undefined;
  }
  async consume(id: string) {
    const p = get(this.key(id));
    if (p) p.consumed = Math.floor(Date.now() / 1000);
  }
  async destroy(id: string) {
    const p = get(this.key(id));
    store.delete(this.key(id));
    if (p?.uid && get(`uid:${this.model}:${p.uid}`)?.id === id) store.delete(`uid:${this.model}:${p.uid}`);
  }
  async revokeByGrantId(grantId: string) {
    const keys = (get(`grant:${grantId}`)?.keys as string[] | undefined) ?? [];
    for (const k of keys) store.delete(k);
    store.delete(`grant:${grantId}`);
  }
}
