/**
 * Assigning a request to a target of a routing table (Q15, Q18): cumulative weights over the
 * targets in sorted order, walked by a draw in [0, 1). With a routing key (a user id) the draw is a
 * hash of the key, so the same key lands on the same target while the table holds; without one it
 * is a fresh random draw. The model server and the router both assign here, so a user gets the same
 * target from either. Targets, not the versions they resolve to, are what is ordered: moving an
 * alias (promoting `champion`) changes which version a target names but leaves every user on their
 * target. Reference: Seldon Core 2 sticky routes, consistent assignment in A/B platforms
 * (hash of the unit id, then bucket by cumulative weight).
 */
import { fmix32, fnv1a32 } from '@mlops-lab/datagen';
import type { RoutingConfig } from './routing.ts';

/**
 * A routing key hashed to [0, 1): FNV-1a, then MurmurHash3's 32-bit finalizer. FNV alone leaves the
 * high bits of short, consecutive keys ("u1", "u2", ...) correlated (34% of u1..u300 fell below
 * 0.1); the finalizer spreads them.
 */
export function stickyDraw(key: string): number {
  return fmix32(fnv1a32(key)) / 4294967296;
}

/** Picks a target for a uniform draw `u` in [0, 1): cumulative weights in a stable (sorted) order. */
export function chooseTarget(config: RoutingConfig, u: number): string {
  const targets = Object.keys(config).sort();
  let acc = 0;
  for (const t of targets) {
    acc += config[t] / 100;
    if (u < acc) return t;
  }
  return targets[targets.length - 1];
}

/** The target for one request: sticky by `key` when one is given, else a random draw. */
export function assign(config: RoutingConfig, key?: string | null): string {
  return chooseTarget(config, key ? stickyDraw(key) : Math.random());
}
