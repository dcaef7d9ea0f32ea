/**
 * The public contract of @mlops-lab/services: what a lab, test or benchmark asks for and gets back.
 * Resolution order (ARCHITECTURE.md "Services"): env URLs -> Docker Compose -> embedded.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';

/** `pgvector` implies `postgres` with the `vector` extension available. */
export type ServiceNeed = 'postgres' | 'pgvector' | 'redis';

export type BackendKind = 'env' | 'docker' | 'embedded';

export interface BackendInfo {
  kind: BackendKind;
  /** Connection URL with any password masked, for printing. */
  url: string;
}

export interface AcquireOptions {
  needs: ServiceNeed[];
  /** Short name of the caller (`drift`, `feature-store`); builds the schema and key prefix. */
  namespace: string;
  /**
   * false (default): a per-run schema `run_<namespace>_<id>` and key prefix, dropped on close.
   * true: a stable schema `mlops_<namespace>` and prefix `mlops:<namespace>:` that survive the run
   * (a registry, an offline store).
   */
  keep?: boolean;
  /** Embedded Postgres only: a throwaway in-memory instance instead of the on-disk data folder (tests). */
  ephemeral?: boolean;
  /** Where the backend choice is printed; default console.error. Pass () => {} to silence. */
  log?: (line: string) => void;
}

export interface Migration {
  /** Unique and stable within its owner, e.g. `001_profiles`. Applied in array order, once. */
  id: string;
  sql: string;
}

export interface Services {
  /** A pg Pool whose connections have `search_path` set to `schema, public`. Throws if postgres was not needed. */
  readonly pg: pg.Pool;
  /** An ioredis client (no automatic prefix: build keys with `key()`). Throws if redis was not needed. */
  readonly redis: Redis;
  readonly schema: string;
  readonly keyPrefix: string;
  /** `key('events')` -> `${keyPrefix}events` */
  key(name: string): string;
  readonly backends: { postgres?: BackendInfo; redis?: BackendInfo };
  /** Idempotent: records applied ids per owner in `<schema>._migrations`. */
  migrate(owner: string, migrations: Migration[]): Promise<void>;
  /** Drops per-run schema and keys (unless keep), closes clients, stops embedded servers. Idempotent. */
  close(): Promise<void>;
}
