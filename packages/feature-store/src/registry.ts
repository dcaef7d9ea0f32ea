/**
 * A small registry of feature views in Postgres (Q6: reuse across teams needs a place where a second
 * team finds a feature, its owner and its meaning, before building its own). Modelled on Feast's
 * registry (`feast feature-views list`), kept to one table: the definition as jsonb, plus the columns
 * people search by (owner, entity, tags, feature names inside the definition).
 */
import type { Migration } from '@mlops-lab/services';
import { defineFeatureView } from './definitions.ts';
import type { FeatureView } from './types.ts';
import type { Queryable } from './validate.ts';

/** Apply with `services.migrate('feature-registry', featureRegistryMigrations)`. */
export const featureRegistryMigrations: Migration[] = [
  {
    id: '001_feature_views',
    sql: `
CREATE TABLE IF NOT EXISTS feature_views (
  name text PRIMARY KEY,
  entity text NOT NULL,
  owner text NOT NULL,
  tags jsonb NOT NULL DEFAULT '{}',
  definition jsonb NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS feature_views_definition ON feature_views USING gin (definition jsonb_path_ops);`,
  },
];

/**
 * Upserts the views (validated first, all or none: one statement). A view registered again under the
 * same name replaces the old definition; `registered_at` records when.
 */
export async function registerFeatureViews(pool: Queryable, views: readonly FeatureView[]): Promise<void> {
  const defined = views.map((v) => defineFeatureView(v));
  if (defined.length === 0) return;
  await pool.query(
    `INSERT INTO feature_views (name, entity, owner, tags, definition)
     SELECT d->>'name', d->'entity'->>'name', d->>'owner', coalesce(d->'tags', '{}'), d
     FROM unnest($1::jsonb[]) AS u(d)
     ON CONFLICT (name) DO UPDATE SET entity = excluded.entity, owner = excluded.owner,
       tags = excluded.tags, definition = excluded.definition, registered_at = now()`,
    [defined.map((v) => JSON.stringify(v))],
  );
}

export interface FeatureViewFilter {
  owner?: string;
  /** Entity name, e.g. `customer`. */
  entity?: string;
  /** Every pair must match. */
  tags?: Record<string, string>;
  /** Views that define a feature with this name. */
  feature?: string;
}

/** Registered views matching every given filter, by name. */
export async function listFeatureViews(
  pool: Queryable,
  filter: FeatureViewFilter = {},
): Promise<Readonly<FeatureView>[]> {
  const { rows } = await pool.query(
    `SELECT definition FROM feature_views
     WHERE ($1::text IS NULL OR owner = $1)
       AND ($2::text IS NULL OR entity = $2)
       AND tags @> $3::jsonb
       AND ($4::text IS NULL OR definition @> jsonb_build_object('features', jsonb_build_array(jsonb_build_object('name', $4::text))))
     ORDER BY name`,
    [filter.owner ?? null, filter.entity ?? null, JSON.stringify(filter.tags ?? {}), filter.feature ?? null],
  );
  return rows.map((r) => defineFeatureView(r.definition as FeatureView));
}
