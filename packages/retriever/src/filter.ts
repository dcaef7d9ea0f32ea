/**
 * The Filter contract of the retrievers (Q21, Q22): a declarative object on metadata fields, the one
 * form all three implementations can evaluate. ExactRetriever and HnswRetriever run `matcher` in
 * JavaScript (per row of the scan, and inside hnswlib's graph walk); PgvectorRetriever sends `toSql`,
 * parameterised SQL on the jsonb metadata column, so Postgres filters inside the index scan. A
 * JavaScript function cannot run in SQL, which is why the contract has no function filters.
 *
 *   { tenant: 'rare' }                                metadata.tenant is 'rare'
 *   { tenant: { $in: ['a', 'b'] }, lang: 'en' }       tenant is 'a' or 'b', and lang is 'en'
 *   { tier: { $eq: 2 } }                              the long form of { tier: 2 }
 *
 * Semantics, the same in both evaluators (src/testing/contract.ts checks them on all three):
 * - Every field must hold (AND); `{}` matches every item.
 * - Equality is typed, as jsonb compares: 1 does not match '1', true does not match 'true'.
 * - `null` matches a field stored as null; an absent field matches nothing, not even null (jsonb:
 *   '{}' does not contain '{"f": null}').
 * - `{ $in: [] }` matches nothing: it asks for one of no values.
 * Anything else (a function, another operator, an array or object as a value, NaN) is refused with
 * UnsupportedFilterError before the search runs: a silently ignored condition would return items the
 * caller meant to exclude (another tenant's documents).
 *
 * Operator names follow the metadata filters of Pinecone and Chroma (MongoDB's `$eq` / `$in`), so
 * more operators can join under the same spelling. Reference: pgvector README "Filtering";
 * PostgreSQL "jsonb Containment and Existence".
 */
import { UnsupportedFilterError } from './errors.ts';
import type { Metadata, Scalar } from './types.ts';
import { checkText, isScalar } from './validate.ts';

/** A checked filter: each field must equal one of its values (equality is a one-value `$in`). */
export interface CompiledFilter {
  readonly conditions: readonly { readonly field: string; readonly values: readonly Scalar[] }[];
}

const OPERATORS = ['$eq', '$in'];

/** Checks a filter against the contract; undefined stays undefined (no filter). */
export function compileFilter(filter: unknown): CompiledFilter | undefined {
  if (filter === undefined) return undefined;
  if (typeof filter === 'function') {
    throw new UnsupportedFilterError(
      'a filter is an object on metadata fields, not a function (pgvector cannot run JavaScript in SQL): ' +
        "write (m) => m.tenant === 'rare' as { tenant: 'rare' }",
    );
  }
  if (!isPlainObject(filter)) {
    throw new UnsupportedFilterError(
      `a filter must be a plain object of field conditions, got ${kindOf(filter)}`,
    );
  }
  const conditions = Object.entries(filter).map(([field, condition]) => {
    checkFilterText(field, `filter field ${JSON.stringify(field)}`);
    return { field, values: valuesOf(field, condition) };
  });
  return { conditions };
}

function valuesOf(field: string, condition: unknown): Scalar[] {
  const where = `filter.${field}`;
  if (isScalar(condition)) return [operand(condition, where)];
  if (Array.isArray(condition)) {
    throw new UnsupportedFilterError(`${where} is an array: write { $in: [...] } for "one of these values"`);
  }
  if (!isPlainObject(condition)) {
    throw new UnsupportedFilterError(
      `${where} must be a string, finite number, boolean, null, { $eq } or { $in }`,
    );
  }
  const keys = Object.keys(condition);
  const unknown = keys.filter((k) => !OPERATORS.includes(k));
  if (unknown.length > 0 || keys.length !== 1) {
    const got = unknown.length > 0 ? `operator ${unknown.join(', ')}` : `${keys.length} operators`;
    throw new UnsupportedFilterError(`${where}: ${got} is not supported (one of ${OPERATORS.join(', ')})`);
  }
  if (keys[0] === '$eq') return [operand(condition.$eq, `${where}.$eq`)];
  const list = condition.$in;
  if (!Array.isArray(list)) throw new UnsupportedFilterError(`${where}.$in must be an array of values`);
  return list.map((v, i) => operand(v, `${where}.$in[${i}]`));
}

function operand(value: unknown, where: string): Scalar {
  if (!isScalar(value)) {
    throw new UnsupportedFilterError(
      `${where} is ${kindOf(value)}: a string, finite number, boolean or null`,
    );
  }
  if (typeof value === 'string') checkFilterText(value, where);
  return value;
}

/** The text rule of ids and metadata (validate.ts), raised as a filter error. */
function checkFilterText(text: string, where: string): void {
  try {
    checkText(text, where);
  } catch (cause) {
    throw new UnsupportedFilterError((cause as Error).message, { cause });
  }
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (x === null || typeof x !== 'object') return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function kindOf(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array';
  if (typeof x === 'number') return String(x);
  return typeof x === 'object' ? (x.constructor?.name ?? 'an object') : typeof x;
}

/** The JavaScript evaluator (exact scan, HNSW walk). Strict equality is jsonb's typed equality here. */
export function matcher(filter: CompiledFilter): (metadata: Metadata) => boolean {
  const { conditions } = filter;
  return (metadata) =>
    conditions.every(
      ({ field, values }) => Object.hasOwn(metadata, field) && values.includes(metadata[field]),
    );
}

/**
 * The SQL evaluator: a WHERE clause on `column` (jsonb) with its parameters numbered from
 * `firstParam`. Single values go into one containment object (`metadata @> $n`, which a GIN index
 * on the column can serve); each `$in` of several values is `metadata @> ANY($m::jsonb[])`, one
 * containment object per value, and ANY of an empty array is false, as the contract says.
 * Values only ever travel as parameters: field names and values never enter the SQL text.
 */
export function toSql(
  filter: CompiledFilter,
  column: string,
  firstParam: number,
): { where: string; params: (string | string[])[] } | undefined {
  if (filter.conditions.length === 0) return undefined;
  // Entries, not assignment: a field named __proto__ must stay a field.
  const equal: [string, Scalar][] = [];
  const anyOf: string[][] = [];
  for (const { field, values } of filter.conditions) {
    if (values.length === 1) equal.push([field, values[0]]);
    else anyOf.push(values.map((v) => JSON.stringify(Object.fromEntries([[field, v]]))));
  }
  const clauses: string[] = [];
  const params: (string | string[])[] = [];
  if (equal.length > 0) {
    params.push(JSON.stringify(Object.fromEntries(equal)));
    clauses.push(`${column} @> $${firstParam}::jsonb`);
  }
  for (const list of anyOf) {
    params.push(list); // node-pg sends a JS array as a Postgres array literal
    clauses.push(`${column} @> ANY($${firstParam + params.length - 1}::jsonb[])`);
  }
  return { where: clauses.join(' AND '), params };
}
