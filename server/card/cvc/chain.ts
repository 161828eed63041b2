import { equal, toHex } from '../../../lib/bytes';
import type { Cvc } from './cvc';

/**
 * The certificates a card must import so that it can verify `target`: the
 * shortest path from a key the card already knows (LIST PUBLIC KEY) through
 * `pool` (sub-CA, roots, link/cross CVCs) to `target`'s CAR, top-down — the
 * order of the MSE SET DST / PSO VERIFY CERTIFICATE pairs. `target` itself is
 * included unless the card already lists its CHR. Null when no path exists.
 * (Same idea as gematik's CvcChainBuilder: walk up until a CHR the card knows.)
 */
export function certificatesToImport(target: Cvc, pool: Cvc[], cardKnows: Uint8Array[]): Cvc[] | null {
  const known = new Set(cardKnows.map(toHex));
  if (known.has(toHex(target.chr))) return [];
  if (known.has(toHex(target.car))) return [target];
  // BFS backwards from the target's CAR: certificates whose CHR is the wanted key.
  type Node = { cert: Cvc; next: Node | null };
  const seen = new Set<string>([toHex(target.car)]);
  let frontier: Node[] = pool.filter((c) => equal(c.chr, target.car) && !equal(c.car, c.chr)).map((cert) => ({ cert, next: null }));
  // A self-signed root is only useful when the card already knows it — then no import is needed.
  while (frontier.length > 0) {
    const nextFrontier: Node[] = [];
    for (const node of frontier) {
      const car = toHex(node.cert.car);
      if (known.has(car)) {
        const path: Cvc[] = [];
        for (let n: Node | null = node; n; n = n.next) path.push(n.cert);
        return [...path, target];
      }
      if (seen.has(car)) continue;
      seen.add(car);
      for (const c of pool) {
        if (equal(c.chr, node.cert.car) && !equal(c.car, c.chr)) nextFrontier.push({ cert: c, next: node });
      }
    }
    frontier = nextFrontier;
  }
  return null;
}

