/**
 * The feature-view contract (Q6, Q8): one definition drives the offline store (Postgres, training)
 * and the online store (Redis, serving). Modelled on Feast's FeatureView: an entity with join keys,
 * a source with event and created timestamps, typed features, a ttl, and ownership metadata so
 * another team can find and reuse a feature.
 */

export type FeatureValue = number | string | null;
export type FeatureType = 'float' | 'int' | 'string';

export interface FeatureSpec {
  name: string;
  type: FeatureType;
  description?: string;
}

export interface Entity {
  /** e.g. 'customer' */
  name: string;
  /** Source columns that identify the entity, e.g. ['customer_id'] or ['customer_id', 'merchant_id']. */
  joinKeys: string[];
  description?: string;
}

export interface FeatureSource {
  /** A Postgres table (in the run's schema unless qualified) with one row per entity per event. */
  table: string;
  /** When the value became true in the world (ms since epoch, stored as timestamptz). */
  eventTimestampColumn: string;
  /** When the row was written; a backfill has created >> event. Breaks ties between equal event times. */
  createdTimestampColumn: string;
}

export interface FeatureView {
  name: string;
  entity: Entity;
  source: FeatureSource;
  features: FeatureSpec[];
  /** How long a value stays valid after its event time; null = forever. Same meaning offline and online. */
  ttlMs: number | null;
  owner: string;
  description: string;
  tags?: Record<string, string>;
}
