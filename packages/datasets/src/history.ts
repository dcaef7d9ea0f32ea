/**
 * System-versioned rows (Q13): every INSERT, UPDATE and DELETE on a tracked table is recorded by a
 * trigger in `<table>__history` as closed and opened versions (key, valid_from, valid_to, the row as
 * jsonb and its sha256), so "the table as it was at time T" is the versions with
 * valid_from <= T < valid_to, whatever was written later. The idea of SQL:2011 system-versioned tables
 * (Postgres has none built in; the temporal_tables extension does the same with a trigger).
 *
 * Why versions rather than an append-only log of changes: an as-of read is one indexed range
 * predicate instead of a replay, and an unchanged row costs nothing however many snapshots include it.
 *
 * The canonical encoding of a row is its jsonb text: keys in jsonb's fixed order, numbers as
 * Postgres prints them (shortest exact form for float8), so equal rows hash equally on any server of
 * the same major. The history is append-only: a guard trigger refuses any UPDATE other than closing
 * a version, and any DELETE outside garbage collection (`datasets.gc` set in its transaction).
 */

import { inTransaction, type Queryable } from '@mlops-lab/services/sql';
import type pg from 'pg';
import { DatasetError } from './errors.ts';
import { historyOf, ident } from './names.ts';

export const trackingMigrations = [
  {
    id: '001_tracking',
    sql: `
      CREATE TABLE datasets_tracked (
        name text PRIMARY KEY,
        key_column text NOT NULL,
        tracked_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE FUNCTION datasets_version_row() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        t timestamptz := clock_timestamp();
        h text := TG_TABLE_NAME || '__history';
      BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
          EXECUTE format('UPDATE %I SET valid_to = $1 WHERE key = $2 AND valid_to IS NULL', h)
            USING t, to_jsonb(OLD) ->> TG_ARGV[0];
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
          EXECUTE format(
            'INSERT INTO %I (key, valid_from, row_hash, row) VALUES ($1, $2, sha256(convert_to($3::text, ''UTF8'')), $3)', h)
            USING to_jsonb(NEW) ->> TG_ARGV[0], t, to_jsonb(NEW);
        END IF;
        RETURN NULL;
      END $fn$;
      CREATE FUNCTION datasets_guard_history() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'UPDATE' AND OLD.valid_to IS NULL AND NEW.valid_to IS NOT NULL
           AND NEW.key = OLD.key AND NEW.valid_from = OLD.valid_from
           AND NEW.row_hash = OLD.row_hash AND NEW.row = OLD.row THEN
          RETURN NEW;
        END IF;
        IF TG_OP = 'DELETE' AND current_setting('datasets.gc', true) = 'on' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION '% is append-only: % of key % refused (write the source table, which versions it)',
          TG_TABLE_NAME, TG_OP, OLD.key;
      END $fn$;`,
  },
];

/**
 * Starts versioning `table` (its primary key column `key`): creates the history table and the
 * triggers, and records the rows already present as versions opened now. Idempotent.
 */
export async function trackTable(
  pool: Pick<pg.Pool, 'connect'>,
  options: { table: string; key: string },
): Promise<void> {
  const t = ident(options.table, 'table');
  ident(options.key, 'key column');
  const h = ident(historyOf(options.table), 'history table');
  const mismatch = await inTransaction(pool, async (client) => {
    const done = await client.query('SELECT key_column FROM datasets_tracked WHERE name = $1 FOR UPDATE', [
      options.table,
    ]);
    if (done.rowCount) return done.rows[0].key_column === options.key ? null : done.rows[0].key_column;
    await client.query(`
      CREATE TABLE ${h} (
        key text NOT NULL,
        valid_from timestamptz NOT NULL,
        valid_to timestamptz,
        row_hash bytea NOT NULL,
        row jsonb NOT NULL,
        PRIMARY KEY (key, valid_from)
      );
      CREATE INDEX ON ${h} (valid_from);
      CREATE UNIQUE INDEX ON ${h} (key) WHERE valid_to IS NULL;
      CREATE TRIGGER datasets_guard BEFORE UPDATE OR DELETE ON ${h}
        FOR EACH ROW EXECUTE FUNCTION datasets_guard_history();`);
    await client.query(
      `INSERT INTO ${h} (key, valid_from, row_hash, row)
       SELECT to_jsonb(s) ->> $1, clock_timestamp(), sha256(convert_to(to_jsonb(s)::text, 'UTF8')), to_jsonb(s)
       FROM ${t} s`,
      [options.key],
    );
    await client.query(
      `CREATE TRIGGER datasets_version AFTER INSERT OR UPDATE OR DELETE ON ${t}
       FOR EACH ROW EXECUTE FUNCTION datasets_version_row('${options.key}')`,
    );
    await client.query('INSERT INTO datasets_tracked (name, key_column) VALUES ($1, $2)', [
      options.table,
      options.key,
    ]);
    await syncColumns(client, options.table);
    return null;
  });
  if (mismatch)
    throw new DatasetError('bad-input', `${options.table} is tracked by key ${mismatch}, not ${options.key}`);
}

export const columnsMigrations = [
  { id: '003_tracked_columns', sql: 'ALTER TABLE datasets_tracked ADD COLUMN columns text' },
];

/** The table's columns with their types, in order: what a row's jsonb is made of. */
const COLUMNS_SQL = `SELECT string_agg(quote_ident(attname) || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) AS c
  FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped`;

/**
 * A column renamed, added, dropped or retyped changes every row's bytes, but DDL fires no row
 * trigger, so the history would keep the old shape. When the columns differ from those recorded,
 * every row is re-versioned (a no-op UPDATE of the key fires the trigger for each row) and the new
 * signature recorded. Runs on `client` inside the caller's transaction, before a snapshot is taken.
 */
export async function syncColumns(client: Queryable, table: string): Promise<boolean> {
  const t = ident(table, 'table');
  const now = (await client.query(COLUMNS_SQL, [t])).rows[0].c as string;
  const r = await client.query('SELECT key_column, columns FROM datasets_tracked WHERE name = $1', [table]);
  const { key_column: key, columns } = r.rows[0];
  if (columns === now) return false;
  if (columns !== null)
    await client.query(`UPDATE ${t} SET ${ident(key, 'key column')} = ${ident(key, 'key column')}`);
  await client.query('UPDATE datasets_tracked SET columns = $2 WHERE name = $1', [table, now]);
  return columns !== null;
}

/** Refuses a table that is not tracked, before any read of its history. */
export async function checkTracked(pool: Queryable, table: string): Promise<void> {
  ident(table, 'table');
  const r = await pool.query('SELECT 1 FROM datasets_tracked WHERE name = $1', [table]);
  if (!r.rowCount)
    throw new DatasetError(
      'not-tracked',
      `${table} is not tracked: call trackTable first (its history starts then)`,
    );
}

/** The versions valid at `asOf` (a SQL expression over $1), as SQL, for the manifest and the reads. */
export function asOfSql(table: string, asOf: string): string {
  const h = ident(historyOf(table), 'history table');
  return `SELECT key, row_hash, row FROM ${h} WHERE valid_from <= ${asOf} AND (valid_to IS NULL OR valid_to > ${asOf})`;
}

/** The rows of `table` as they were at `asOf`, in key order (bytewise, `COLLATE "C"`). */
export async function readAsOf(
  pool: Queryable,
  table: string,
  asOf: Date,
): Promise<Record<string, unknown>[]> {
  if (!(asOf instanceof Date) || Number.isNaN(asOf.getTime()))
    throw new DatasetError('bad-input', `asOf must be a valid Date, got ${String(asOf)}`);
  await checkTracked(pool, table);
  const r = await pool.query(`${asOfSql(table, '$1::timestamptz')} ORDER BY key COLLATE "C"`, [asOf]);
  return r.rows.map((x) => x.row);
}
