/**
 * Idempotent, ordered, concurrency-safe SQL migrations per owner (ARCHITECTURE.md "Services"; the pattern
 * of Flyway / node-pg-migrate, reduced to what the labs need): a `<schema>._migrations(owner, id,
 * applied_at)` table records what ran; each unapplied migration runs in its own transaction with its
 * record, so it is applied completely or not at all.
 *
 * Concurrency: a session advisory lock per schema serialises migrators (two processes migrating the
 * same kept schema); the second waits, then sees the ids recorded and applies nothing.
 * Note: this holds one pooled connection for the duration, so do not call it while holding a client
 * of the same pool on the embedded backend (pool of one: it would wait for itself).
 */
import type pg from 'pg';
import { MigrationError } from './errors.ts';
import { quoteIdent } from './sql.ts';
import { transactionOn } from './transaction.ts';
import type { Migration } from './types.ts';

/** Applies the unapplied migrations of `owner` in array order; returns the ids it applied. */
export async function migrate(
  pool: pg.Pool,
  schema: string,
  owner: string,
  migrations: readonly Migration[],
): Promise<string[]> {
  const ids = new Set<string>();
  for (const m of migrations) {
    if (ids.has(m.id)) throw new Error(`duplicate migration id ${owner}/${m.id}`);
    ids.add(m.id);
  }
  const table = `${quoteIdent(schema)}._migrations`;
  const client = await pool.connect();
  const lockKey = `mlops-lab:migrate:${schema}`;
  await client.query('SELECT pg_advisory_lock(hashtext($1))', [lockKey]);
  try {
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${table} (
         owner text NOT NULL,
         id text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (owner, id)
       )`,
    );
    const { rows } = await client.query<{ id: string }>(`SELECT id FROM ${table} WHERE owner = $1`, [owner]);
    const done = new Set(rows.map((r) => r.id));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.id)) continue;
      try {
        await transactionOn(client, async () => {
          await client.query(m.sql);
          await client.query(`INSERT INTO ${table} (owner, id) VALUES ($1, $2)`, [owner, m.id]);
        });
      } catch (error) {
        throw new MigrationError(owner, m.id, error);
      }
      applied.push(m.id);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => {});
    client.release();
  }
}
