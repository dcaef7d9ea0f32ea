/**
 * The champion a router falls back to when its routing comes from the registry (Q15, Q29): the
 * registry's `champion` alias, read from Postgres, followed while running, and kept at its last good
 * value while Postgres is away (a fallback must keep working when the registry does not answer).
 * The alias itself, not the routing table's weights: at a 100% canary step the table sends everyone to
 * the challenger while the alias still names the version that is known good. Pass it as the router's
 * `fallback`; a static table passes a version instead. Reference: MLflow model aliases.
 */
import { getAlias } from '@mlops-lab/registry';
import type { Queryable } from '@mlops-lab/services/sql';
import type { ChampionSource } from './upstream-policy.ts';

export interface FollowedChampion extends ChampionSource {
  /** Reads the alias now (a caller that just moved it need not wait for the next read). */
  refresh(): Promise<void>;
  stop(): void;
  /** Reads that failed so far (the last good champion stayed in force). */
  readonly errors: number;
}

/** Resolves after the first read (undefined if the alias is not set yet); then re-reads every `everyMs`. */
export async function followChampion(
  pg: Queryable,
  model: string,
  options: { alias?: string; everyMs?: number } = {},
): Promise<FollowedChampion> {
  const alias = options.alias ?? 'champion';
  let version: string | undefined;
  let errors = 0;
  // Reads in sequence, each starting after the one before: a slow read of an old alias cannot land
  // after a newer one, and a refresh after a move always reads after the move.
  let chain: Promise<void> = Promise.resolve();
  let pending = 0;
  const read = (): Promise<void> => {
    pending++;
    chain = chain
      .then(() =>
        getAlias(pg, model, alias).then(
          (v) => {
            version = v === null ? undefined : String(v);
          },
          () => {
            errors++;
          },
        ),
      )
      .finally(() => {
        pending--;
      });
    return chain;
  };
  await read();
  // The timer skips a beat while a read is still pending: a hung Postgres does not pile reads up.
  const timer = setInterval(() => pending === 0 && void read(), options.everyMs ?? 1000);
  timer.unref();
  return {
    current: () => version,
    refresh: read,
    stop: () => clearInterval(timer),
    get errors() {
      return errors;
    },
  };
}
