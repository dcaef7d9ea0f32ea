/**
 * Postgres connections (ARCHITECTURE.md "Services"): a pg Pool whose every connection has
 * `search_path = <schema>, public`, the per-run or kept schema, and the `vector` extension check.
 * Reference: node-postgres docs (Pool, 'connect' event), PostgreSQL docs (CREATE SCHEMA / EXTENSION,
 * advisory locks).
 *
 * search_path is SET in pg-pool's `onConnect` hook (awaited before a new client is handed out) rather
 * than via the startup `options` parameter, because PGlite's socket server ignores startup options
 * (checked). A 'connect' event listener would race the caller's first query (pg 8 warns about it).
 */
import pg from 'pg';
import { errorMessage, maskUrl, ServiceError } from './errors.ts';
import type { ProcessOwner } from './owner.ts';
import { ownerCommentSql } from './run-schemas.ts';
import { quoteIdent } from './sql.ts';
import { inTransaction } from './transaction.ts';
import type { BackendKind } from './types.ts';

export function createPool(url: string, schema: string, kind: BackendKind): pg.Pool {
  const embedded = kind === 'embedded';
  const setPath = `SET search_path TO ${quoteIdent(schema)}, public`;
  const pool = new pg.Pool({
    connectionString: url,
    // PGlite is one session: more connections only queue behind each other and share state.
    max: embedded ? 1 : 10,
    // Keep the single embedded connection instead of closing and reopening it when idle.
    idleTimeoutMillis: embedded ? 0 : 10_000,
    connectionTimeoutMillis: 5000,
    // Awaited by pg-pool before the client is handed out, so no query runs with the default path.
    onConnect: async (client) => {
      await client.query(setPath);
    },
  });
  // An idle client losing its server (e.g. during shutdown) must not crash the process.
  pool.on('error', () => {});
  return pool;
}

export interface SourceOfUrl {
  /** How the URL came: env var name, `docker compose`, or `embedded`. */
  variable: string;
  url: string;
}

function unreachableHint(source: SourceOfUrl): string {
  if (source.variable === 'DATABASE_URL' || source.variable === 'REDIS_URL') {
    return [
      `${source.variable} is used as given and never replaced. Either:`,
      '  - start that server (or fix the URL: host, port, user, password, database), or',
      `  - unset ${source.variable} to use Docker (\`pnpm services:up\`) or the embedded fallback.`,
    ].join('\n');
  }
  return 'Check `pnpm services:status`; `pnpm services:down && pnpm services:up` restarts the Docker services.';
}

/** UNREACHABLE: `service` at the source's URL (password masked) did not answer, with the fix. */
export function unreachableError(
  service: 'Postgres' | 'Redis',
  source: SourceOfUrl,
  cause: unknown,
): ServiceError {
  return new ServiceError(
    'UNREACHABLE',
    `${service} at ${source.variable}=${maskUrl(source.url)} does not answer: ${errorMessage(cause)}`,
    unreachableHint(source),
    { cause },
  );
}

/** Connects once and runs `SELECT 1`; throws UNREACHABLE naming where the URL came from. */
export async function probePostgres(pool: pg.Pool, source: SourceOfUrl): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    throw unreachableError('Postgres', source, error);
  }
}

/**
 * Creates the schema and, if asked, the `vector` extension in `public`. Serialised by a transaction
 * advisory lock because concurrent `CREATE ... IF NOT EXISTS` can still race on the catalog's unique index.
 * `owner` (per-run schemas) is recorded on the schema in the same transaction (run-schemas.ts), so a
 * run killed at any point leaves no schema without its owner.
 */
export async function prepareDatabase(
  pool: pg.Pool,
  schema: string,
  vector: boolean,
  source: SourceOfUrl,
  owner?: ProcessOwner,
): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('mlops-lab:prepare'))`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    if (owner) await client.query(ownerCommentSql(schema, owner));
    if (vector) {
      try {
        await client.query('CREATE EXTENSION IF NOT EXISTS vector SCHEMA public');
      } catch (error) {
        throw noVectorError(source, error);
      }
    }
  });
}

export function noVectorError(source: SourceOfUrl, cause: unknown): ServiceError {
  return new ServiceError(
    'NO_VECTOR',
    `pgvector is needed but \`CREATE EXTENSION vector\` failed on ${source.variable}=${maskUrl(source.url)}: ${errorMessage(cause)}`,
    [
      'This server has no pgvector. Either:',
      '  - use the `pgvector/pgvector:pg16` image: unset DATABASE_URL and run `pnpm services:up`, or',
      '  - install pgvector on that server (https://github.com/pgvector/pgvector#installation), or',
      '  - unset DATABASE_URL to use the embedded PGlite, which has pgvector.',
    ].join('\n'),
    { cause },
  );
}
