/**
 * One transaction: BEGIN, the work, COMMIT; on any error ROLLBACK and the error rethrown. Every
 * package that writes more than one statement atomically uses these (datasets' snapshots, the
 * services' own schema preparation, sweep and migrations). Reference: node-postgres docs
 * ("Transactions": one client for the whole transaction, never the pool).
 */
import type pg from 'pg';

/** The transaction on a client the caller already holds (and releases), e.g. under a session lock. */
export async function transactionOn<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  try {
    await client.query('BEGIN');
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}

/**
 * The transaction on one client taken from the pool and released before the result is used. `fn`
 * gets that client and must query through it: an embedded Postgres pool holds a single connection,
 * so a query on the pool inside `fn` would wait forever.
 */
export async function inTransaction<T>(
  pool: Pick<pg.Pool, 'connect'>,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    return await transactionOn(client, () => fn(client));
  } finally {
    client.release();
  }
}
