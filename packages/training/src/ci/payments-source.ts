/**
 * The payments training table as Postgres holds it (Q12, Q13): the columns of a datagen payment
 * under their own (camelCase, quoted) names, so a row read back is a PaymentEvent with no mapping
 * layer that could hide a renamed column, and the drift schema of its model inputs, which is the
 * contract the data gate holds a training set to. Numbers are float8 / int4, which `pg` returns as
 * JavaScript numbers (bigint and numeric would come back as strings).
 */
import { PAYMENT_FEATURES } from '@mlops-lab/datagen';
import type { Schema } from '@mlops-lab/drift';
import type { Queryable } from '@mlops-lab/services/sql';

/** The drift schema of the payment inputs: the reference profile is built over these columns. */
export const PAYMENTS_PROFILE_SCHEMA: Schema = PAYMENT_FEATURES.map(({ name, type }) => ({ name, type }));

/** The key of a payment row and the column training reads it in order of. */
export const PAYMENTS_KEY = 'eventId';
export const PAYMENTS_ORDER = ['timestamp', 'eventId'] as const;
/** Columns of a payment that are no model input: keys and the event time. */
export const PAYMENTS_ID_COLUMNS = ['eventId', 'customerId', 'timestamp'] as const;

/** Column definitions of a payments table (ms since epoch as float8: exact below 2^53). */
export const PAYMENTS_COLUMNS_SQL = `
  "eventId" text PRIMARY KEY,
  "customerId" text NOT NULL,
  "timestamp" float8 NOT NULL,
  amount float8,
  "hourOfDay" int4,
  "deviceAgeDays" int4,
  "distanceKm" float8,
  "merchantCategory" text,
  channel text,
  country text,
  label int4 NOT NULL`;

const TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,50}$/;

function checkTable(table: string): string {
  if (!TABLE.test(table))
    throw new Error(`table name must be letters, digits and _, got ${JSON.stringify(table)}`);
  return `"${table}"`;
}

/** Creates a payments table named `table` (refused unless a plain identifier). */
export async function createPaymentsTable(pool: Queryable, table: string): Promise<void> {
  await pool.query(`CREATE TABLE ${checkTable(table)} (${PAYMENTS_COLUMNS_SQL})`);
}

/**
 * Appends rows by one statement per 5,000: the rows travel as one jsonb array and
 * jsonb_populate_recordset casts each field to its column's type (a column the rows lack is null).
 */
export async function insertPayments(pool: Queryable, table: string, rows: readonly object[]): Promise<void> {
  const t = checkTable(table);
  for (let i = 0; i < rows.length; i += 5000) {
    await pool.query(`INSERT INTO ${t} SELECT * FROM jsonb_populate_recordset(NULL::${t}, $1::jsonb)`, [
      JSON.stringify(rows.slice(i, i + 5000)),
    ]);
  }
}
