/**
 * One transaction on one pooled client, rolled back on any error, the client released before the
 * result is used (an embedded Postgres pool holds a single connection, so a query on the pool
 * inside `fn` would wait forever: `fn` gets the client).
 */
import type pg from 'pg';

export async function inTransaction<T>(
  pool: Pick<pg.Pool, 'connect'>,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
