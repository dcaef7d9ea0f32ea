/**
 * @mlops-lab/services/sql: the light face, for code that only runs queries on a pool it is given
 * (the registry's routing, which the model server and the router import; stores of other packages).
 * Nothing here starts a server or loads PGlite or ioredis: this file and transaction.ts import pg's
 * types only. ARCHITECTURE.md "Conventions" (named entries); README.md in this package.
 */
import type pg from 'pg';

export { inTransaction, transactionOn } from './transaction.ts';

/**
 * What a function that only runs queries takes: a pg.Pool, a client taken from one (inside a
 * transaction), or services' pool. One spelling for every package, so a client and a pool are
 * interchangeable wherever only `query` is used.
 */
export type Queryable = Pick<pg.Pool, 'query'>;

/** `"my_schema"`: identifiers here are already [a-z0-9_], quoting keeps them exact anyway. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
