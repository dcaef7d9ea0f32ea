/**
 * Defining feature views and listing them for discovery (Q6: one definition drives training and
 * serving, and a second team finds a feature instead of rebuilding it; Q9: the listing is the part
 * of a feature store a small team gets for free). Modelled on Feast's FeatureView / `feast
 * feature-views list`, with stricter checks: names must be plain SQL identifiers, because they become
 * Postgres column and table names and Redis key parts.
 */
import { FeatureStoreError } from './errors.ts';
import { checkNotReserved } from './safe-keys.ts';
import type { FeatureType, FeatureView } from './types.ts';

/**
 * Lower-case identifiers only: Postgres folds unquoted names to lower case, so `customerId` would be
 * a different column quoted than unquoted. Lower case reads the same either way. 63 bytes is
 * Postgres' NAMEDATALEN limit; longer names are silently truncated, and two names could then clash.
 */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;
const FEATURE_TYPES: readonly FeatureType[] = ['float', 'int', 'string'];

/**
 * Column that orders rows written with equal event and created timestamps: the row ingested last
 * wins, offline and in the oracle (where it is the later row in `featureRows`). `createSourceTable`
 * adds it as an identity column; a table made elsewhere must have it too.
 */
export const INGEST_SEQ_COLUMN = 'ingest_seq';

export function isSqlIdentifier(name: unknown): name is string {
  return typeof name === 'string' && IDENTIFIER.test(name);
}

function identifier(name: unknown, what: string, view: string): string {
  if (!isSqlIdentifier(name)) {
    throw new FeatureStoreError(
      `feature view "${view}": ${what} ${JSON.stringify(name)} is not a plain SQL identifier; ` +
        'use lower-case letters, digits and _ (not starting with a digit, at most 63 characters)',
      'INVALID_VIEW',
    );
  }
  return name;
}

/** An identifier that also becomes an object key (view name, join key, feature): not a reserved one. */
function keyName(name: unknown, what: string, view: string): string {
  return checkNotReserved(identifier(name, what, view), `feature view "${view}": ${what}`);
}

/** Views returned by defineFeatureView: deeply frozen, so checked for good. */
const defined = new WeakSet<object>();

/**
 * The view, checked: every public entry point that builds SQL or Redis keys from a view runs this
 * first, so a view that never went through defineFeatureView is refused with the same INVALID_VIEW
 * error instead of reaching Postgres (42602, 22021) or Redis. A view defineFeatureView returned is
 * not checked again (it is deeply frozen); any other is validated, and its checked copy returned.
 */
export function checkView(view: FeatureView): Readonly<FeatureView> {
  return defined.has(view) ? view : defineFeatureView(view);
}

/** `null` (values never expire) or a finite number >= 0; anything else is a NEGATIVE_TTL error. */
export function checkTtl(ttlMs: unknown, where: string): number | null {
  if (ttlMs === null) return null;
  if (typeof ttlMs !== 'number' || Number.isNaN(ttlMs) || ttlMs < 0 || !Number.isFinite(ttlMs)) {
    throw new FeatureStoreError(
      `${where}: ttl ${String(ttlMs)} ms is invalid; a ttl is the age after which a value is ` +
        'no longer served, so it must be a finite number >= 0 (ms), or null for values that never expire',
      'NEGATIVE_TTL',
    );
  }
  return ttlMs;
}

/** The source columns a view reads, in table order: join keys, event, created, features. */
export function sourceColumns(view: FeatureView): string[] {
  return [
    ...view.entity.joinKeys,
    view.source.eventTimestampColumn,
    view.source.createdTimestampColumn,
    INGEST_SEQ_COLUMN,
    ...view.features.map((f) => f.name),
  ];
}

/**
 * Validates a view and returns a deeply frozen copy (a definition shared by the offline and online
 * paths must not change under either). Throws FeatureStoreError with code INVALID_VIEW or NEGATIVE_TTL.
 */
export function defineFeatureView(view: FeatureView): Readonly<FeatureView> {
  if (typeof view !== 'object' || view === null) {
    throw new FeatureStoreError('defineFeatureView needs a feature view object', 'INVALID_VIEW');
  }
  const name = keyName(view.name, 'name', String(view.name));
  const { entity, source } = view;
  if (typeof entity !== 'object' || entity === null || typeof entity.name !== 'string' || !entity.name) {
    throw new FeatureStoreError(`feature view "${name}": entity needs a name and joinKeys`, 'INVALID_VIEW');
  }
  if (!Array.isArray(entity.joinKeys) || entity.joinKeys.length === 0) {
    throw new FeatureStoreError(
      `feature view "${name}": entity "${entity.name}" has no join keys; list the source columns that ` +
        "identify it, e.g. joinKeys: ['customer_id']",
      'INVALID_VIEW',
    );
  }
  if (typeof source !== 'object' || source === null || typeof source.table !== 'string') {
    throw new FeatureStoreError(`feature view "${name}": source needs a table name`, 'INVALID_VIEW');
  }
  const tableParts = source.table.split('.');
  if (tableParts.length > 2) identifier(source.table, 'source table (table or schema.table)', name);
  tableParts.forEach((part, i) => {
    identifier(part, i === 0 && tableParts.length === 2 ? 'source schema' : 'source table', name);
  });
  if (!Array.isArray(view.features) || view.features.length === 0) {
    throw new FeatureStoreError(`feature view "${name}": declare at least one feature`, 'INVALID_VIEW');
  }
  const seen = new Map<string, string>();
  const claim = (column: string, role: string) => {
    const prior = seen.get(column);
    if (prior !== undefined) {
      throw new FeatureStoreError(
        `feature view "${name}": column "${column}" is used twice (${prior} and ${role}); ` +
          'every join key, timestamp column and feature needs its own column',
        'INVALID_VIEW',
      );
    }
    seen.set(column, role);
  };
  claim(INGEST_SEQ_COLUMN, 'the ingestion sequence column');
  for (const key of entity.joinKeys) claim(keyName(key, 'join key', name), 'a join key');
  claim(identifier(source.eventTimestampColumn, 'event timestamp column', name), 'the event timestamp');
  claim(identifier(source.createdTimestampColumn, 'created timestamp column', name), 'the created timestamp');
  for (const f of view.features) {
    claim(keyName(f?.name, 'feature', name), 'a feature');
    if (!FEATURE_TYPES.includes(f.type)) {
      throw new FeatureStoreError(
        `feature view "${name}": feature "${f.name}" has type ${JSON.stringify(f.type)}; ` +
          `use one of ${FEATURE_TYPES.join(', ')}`,
        'INVALID_VIEW',
      );
    }
  }
  const ttlMs = checkTtl(view.ttlMs, `feature view "${name}"`);
  if (typeof view.owner !== 'string' || view.owner.trim() === '') {
    throw new FeatureStoreError(
      `feature view "${name}": owner is empty; name the team to ask about it (Q6: reuse needs an owner)`,
      'INVALID_VIEW',
    );
  }
  const checked = deepFreeze({
    name,
    entity: {
      name: entity.name,
      joinKeys: [...entity.joinKeys],
      ...(entity.description === undefined ? {} : { description: entity.description }),
    },
    source: {
      table: source.table,
      eventTimestampColumn: source.eventTimestampColumn,
      createdTimestampColumn: source.createdTimestampColumn,
    },
    features: view.features.map((f) => ({
      name: f.name,
      type: f.type,
      ...(f.description === undefined ? {} : { description: f.description }),
    })),
    ttlMs,
    owner: view.owner,
    description: typeof view.description === 'string' ? view.description : '',
    ...(view.tags === undefined ? {} : { tags: { ...view.tags } }),
  });
  defined.add(checked);
  return checked;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** One line of the discovery listing: a feature with everything a second team needs to reuse it. */
export interface FeatureListing {
  view: string;
  feature: string;
  type: FeatureType;
  /** e.g. `customer (customer_id)` */
  entity: string;
  /** e.g. `2d`, `1h 30m`, `forever` */
  ttl: string;
  owner: string;
  /** The feature's description, else the view's. */
  description: string;
  /** `key=value` pairs, comma-separated, sorted. */
  tags: string;
}

/** One row per feature, in view order then feature order (print it as a table). */
export function describeFeatureViews(views: readonly FeatureView[]): FeatureListing[] {
  return views.flatMap((v) =>
    v.features.map((f) => ({
      view: v.name,
      feature: f.name,
      type: f.type,
      entity: `${v.entity.name} (${v.entity.joinKeys.join(', ')})`,
      ttl: formatTtl(v.ttlMs),
      owner: v.owner,
      description: f.description ?? v.description,
      tags: Object.entries(v.tags ?? {})
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, val]) => `${k}=${val}`)
        .join(', '),
    })),
  );
}

const UNITS: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

/** `null` -> `forever`, 0 -> `0ms`, 90 min -> `1h 30m`. */
export function formatTtl(ttlMs: number | null): string {
  if (ttlMs === null) return 'forever';
  if (ttlMs === 0 || !Number.isInteger(ttlMs)) return `${ttlMs}ms`;
  const parts: string[] = [];
  let rest = ttlMs;
  for (const [unit, size] of UNITS) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join(' ');
}
