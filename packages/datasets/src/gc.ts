/**
 * Garbage collection of history (Q13's trade-off): time travel costs storage, so old versions must
 * go, but a version some kept snapshot still reads must not. Delta Lake and Iceberg expire history by
 * age alone (VACUUM after 7 days, snapshot expiry after 5 by default), after which a time-travel query
 * of an older version fails; here a snapshot that is pinned (a registered model was trained on it)
 * keeps every version it reads, whatever its age, and a collected one fails loudly when read.
 */

import { inTransaction } from '@mlops-lab/services';
import type pg from 'pg';
import { DatasetError } from './errors.ts';
import { checkTracked } from './history.ts';
import { historyOf, ident } from './names.ts';

export interface Collected {
  /** Snapshots marked collected (older than the cut-off, not pinned). */
  snapshots: number;
  /** History versions deleted (closed before the cut-off, read by no kept snapshot). */
  versions: number;
}

/**
 * Collects `table`'s history older than `before`: unpinned snapshots taken before it are marked
 * collected, then every version that was closed before it and that no remaining snapshot reads is
 * deleted. Current versions are never touched.
 */
export async function collectGarbage(
  pool: Pick<pg.Pool, 'connect' | 'query'>,
  options: { table: string; before: Date; pinned: readonly string[] },
): Promise<Collected> {
  if (!(options.before instanceof Date) || Number.isNaN(options.before.getTime()))
    throw new DatasetError('bad-input', `before must be a valid Date, got ${String(options.before)}`);
  const h = ident(historyOf(options.table), 'history table');
  await checkTracked(pool, options.table);
  return inTransaction(pool, async (client) => {
    // The history guard lets a DELETE through only inside a transaction that says it collects.
    await client.query(`SET LOCAL datasets.gc = 'on'`);
    const snaps = await client.query(
      `UPDATE datasets_snapshots SET collected_at = clock_timestamp()
       WHERE dataset = $1 AND collected_at IS NULL AND created_at < $2 AND NOT (id = ANY($3::text[]))`,
      [options.table, options.before, options.pinned],
    );
    const versions = await client.query(
      `DELETE FROM ${h} v WHERE v.valid_to IS NOT NULL AND v.valid_to < $2
         AND NOT EXISTS (SELECT 1 FROM datasets_snapshots s
                         WHERE s.dataset = $1 AND s.collected_at IS NULL
                           AND v.valid_from <= s.as_of AND v.valid_to > s.as_of)`,
      [options.table, options.before],
    );
    return { snapshots: snaps.rowCount ?? 0, versions: versions.rowCount ?? 0 };
  });
}
