/**
 * @mlops-lab/datasets/faults: the fault the snapshot check exists for (Q13), as labs inject it. A
 * "label fix" written into a tracked table's history in place, for rows a snapshot holds, in a
 * session that fires no triggers (`session_replication_role = replica`), so the append-only guard
 * never runs: the history now says those rows always had label 1. verifySnapshot must name them.
 * Not for production code: it exists to show what the content hash catches.
 */
import type pg from 'pg';
import { historyOf, ident } from './names.ts';

/** Rewrites `label` 0 -> 1 in the history of up to `count` rows of `snapshot` (by key order); returns their keys. */
export async function rewriteHistoryInPlace(
  pool: pg.Pool,
  table: string,
  snapshot: string,
  count: number,
): Promise<string[]> {
  const history = ident(historyOf(table), 'history table');
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SET LOCAL session_replication_role = replica');
    const r = await client.query<{ key: string }>(
      `UPDATE ${history} h SET row = jsonb_set(row, '{label}', '1')
       WHERE (h.key, h.valid_from) IN (
         SELECT key, valid_from FROM ${history}, (SELECT as_of FROM datasets_snapshots WHERE id = $1) s
         WHERE valid_from <= s.as_of AND (valid_to IS NULL OR valid_to > s.as_of) AND row->>'label' = '0'
         ORDER BY key COLLATE "C" LIMIT $2)
       RETURNING key`,
      [snapshot, count],
    );
    await client.query('COMMIT');
    return r.rows.map((x) => x.key);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
