/**
 * Owner records of per-run schemas, and the removal of those that dead runs left. A run killed with
 * SIGKILL never reaches close(), so its `run_*` schema stays (seven such took 72 MB of one embedded
 * database). The record is a JSON comment on the schema, `{"owner": ProcessOwner}` (owner.ts),
 * written in the transaction that creates the schema, so no schema is visible without it, and
 * dropped with the schema, so it needs no cleaning of its own. Reference: PostgreSQL docs, COMMENT /
 * obj_description, advisory locks, lock_timeout, SAVEPOINT.
 */
import pg from 'pg';
import { errorMessage } from './errors.ts';
import { asOwner, ownerState, type ProcessOwner } from './owner.ts';
import { inTransaction, quoteIdent } from './sql.ts';

// pg's own quoting for the literal (the owner record travels as JSON text).
const { escapeLiteral } = pg;

/** The shape namesFor gives a per-run schema: run_<namespace>_<8 chars>. */
const RUN_SCHEMA = /^run_[a-z0-9_]+_[a-z0-9]{8}$/;

/** COMMENT takes no bind parameters, so the record travels as an escaped literal. */
export function ownerCommentSql(schema: string, owner: ProcessOwner): string {
  return `COMMENT ON SCHEMA ${quoteIdent(schema)} IS ${escapeLiteral(JSON.stringify({ owner }))}`;
}

export interface RemovedSchema {
  schema: string;
  /** The dead owner's pid; absent for a schema that had no owner record. */
  ownerPid?: number;
}

export interface SchemaSweep {
  removed: RemovedSchema[];
  failed: { schema: string; error: string }[];
}

/** The owner recorded in a schema comment, or undefined when the comment is not such a record. */
function recordedOwner(comment: unknown): ProcessOwner | undefined {
  if (typeof comment !== 'string') return undefined;
  try {
    return asOwner((JSON.parse(comment) as { owner?: unknown }).owner);
  } catch {
    return undefined;
  }
}

/** Whether a run schema is a dead run's leftover: see removeDeadRunSchemas for the rules. */
function leftover(schema: string, comment: unknown, exclusive: boolean): RemovedSchema | undefined {
  const owner = recordedOwner(comment);
  if (!owner) return exclusive && RUN_SCHEMA.test(schema) ? { schema } : undefined;
  const state = ownerState(owner);
  if (state === 'dead' || (state === 'earlier-boot' && exclusive)) return { schema, ownerPid: owner.pid };
  return undefined;
}

/**
 * Drops the `run_*` schemas whose recorded owner is provably dead (owner.ts: this host, boot and pid
 * namespace, and the pid gone or reused). A schema whose owner is alive, on another host, or unknown
 * is never touched. `exclusive` says no live run can be using this database at all (the embedded
 * data folder, held under its lock): then schemas without a record (made before owners were
 * recorded) and those of an earlier boot go too.
 *
 * One sweeper at a time per database (a transaction advisory lock; a second one skips, the first
 * reports), each drop under a savepoint with a lock timeout, so one schema that cannot be dropped
 * neither blocks the start nor stops the others from going.
 */
export async function removeDeadRunSchemas(pool: pg.Pool, exclusive: boolean): Promise<SchemaSweep> {
  const sweep: SchemaSweep = { removed: [], failed: [] };
  return inTransaction(pool, async (client) => {
    // Another sweeper holds the lock: it reports, this one ends its empty transaction.
    const lock = await client.query(`SELECT pg_try_advisory_xact_lock(hashtext('mlops-lab:sweep')) AS got`);
    if (lock.rows[0]?.got !== true) return sweep;
    await client.query(`SET LOCAL lock_timeout = '3s'`);
    const { rows } = await client.query<{ name: string; comment: string | null }>(
      `SELECT nspname AS name, obj_description(oid, 'pg_namespace') AS comment
     FROM pg_namespace WHERE nspname LIKE 'run\\_%' ORDER BY nspname`,
    );
    for (const row of rows) {
      const found = leftover(row.name, row.comment, exclusive);
      if (!found) continue;
      await client.query('SAVEPOINT leftover');
      try {
        await client.query(`DROP SCHEMA ${quoteIdent(row.name)} CASCADE`);
        await client.query('RELEASE SAVEPOINT leftover');
        sweep.removed.push(found);
      } catch (error) {
        await client.query('ROLLBACK TO SAVEPOINT leftover');
        sweep.failed.push({ schema: row.name, error: errorMessage(error) });
      }
    }
    return sweep;
  });
}
