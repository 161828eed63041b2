import { equal, toHex } from '../../lib/bytes';
import type { CardState, VerificationKey } from './state';
import { type CardObject, type DfNode, type EfNode, type PrivateElcKeyNode, type PublicElcKeyNode, walk } from './image';

export function buildParents(mf: DfNode): Map<CardObject, DfNode> {
  const m = new Map<CardObject, DfNode>();
  for (const { obj, parent } of walk(mf)) m.set(obj, parent);
  return m;
}

/** The DF and its ancestors up to the MF: where key and SFI lookups search. */
export function dfPath(s: CardState, df: DfNode = s.currentDf): DfNode[] {
  const out: DfNode[] = [];
  for (let d: DfNode | undefined = df; d; d = s.parents.get(d)) out.push(d);
  return out;
}

export function findDfByAid(s: CardState, aid: Uint8Array): DfNode | undefined {
  if (s.image.mf.aid && equal(s.image.mf.aid, aid)) return s.image.mf;
  for (const { obj } of walk(s.image.mf)) if (obj.kind === 'df' && obj.aid && equal(obj.aid, aid)) return obj;
  return undefined;
}

export function childEf(df: DfNode, match: (ef: EfNode) => boolean): EfNode | undefined {
  return df.children.find((c): c is EfNode => c.kind === 'ef' && match(c));
}

export function childDf(df: DfNode, fid: number): DfNode | undefined {
  return df.children.find((c): c is DfNode => c.kind === 'df' && c.fid === fid);
}

/**
 * Private key by reference: b8 set = DF-specific (current DF only), else global
 * (searched from the current DF up to the MF) — gemSpec_COS key reference convention.
 */
export function findPrivateKey(s: CardState, keyRef: number): PrivateElcKeyNode | undefined {
  const id = keyRef & 0x7f;
  const dfs = keyRef & 0x80 ? [s.currentDf] : dfPath(s);
  for (const df of dfs) {
    const k = df.children.find((c): c is PrivateElcKeyNode => c.kind === 'prk-elc' && c.keyId === id);
    if (k) return k;
  }
  return undefined;
}

export function persistentPublicKeys(s: CardState): PublicElcKeyNode[] {
  const out: PublicElcKeyNode[] = [];
  for (const { obj } of walk(s.image.mf)) if (obj.kind === 'puk-elc') out.push(obj);
  return out;
}

export function findVerificationKey(s: CardState, ref: Uint8Array): VerificationKey | undefined {
  const node = persistentPublicKeys(s).find((k) => equal(k.keyRef, ref) && k.lifeCycleStatus === 'ACTIVATED');
  if (node) return { kind: 'persistent', node };
  const key = s.importedKeys.get(toHex(ref));
  return key ? { kind: 'imported', key } : undefined;
}
