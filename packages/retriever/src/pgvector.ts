/**
 * PgvectorRetriever (Q22): vectors in a Postgres table with pgvector's HNSW index, for when the data
 * already lives in Postgres and the scale is moderate. Runs on a real pgvector server and on the
 * embedded PGlite (pgvector 0.8.x) through the same `pg` pool from @mlops-lab/services.
 *
 * pgvector does: the `vector(dim)` type, the HNSW index (m, ef_construction) per operator class,
 * `hnsw.ef_search`, iterative index scans (>= 0.8: keep scanning until LIMIT rows pass the WHERE).
 * Written here: per-query settings in a transaction (SET LOCAL), version detection with a fallback to
 * a wide ef_search, the jsonb filter, and distance conversion to the contract's scale:
 *   `<=>` cosine distance (1 - cos): as is;  `<->` L2 (the root): squared;  `<#>` negative inner product: as is.
 * Reference: github.com/pgvector/pgvector README ("HNSW", "Filtering", "Iterative Index Scans").
 *
 * Filters: SQL cannot call a JavaScript function, so `search` takes a jsonb containment object
 * (`{ lang: 'en' }` means `metadata @> '{"lang":"en"}'`); a function filter is refused with a RetrieverError.
 */
import type pg from 'pg';
import { RetrieverError } from './errors.ts';
import type { Filter, Metadata, Retriever, SearchHit, Space, Vector } from './types.ts';
import { checkId, checkK, checkMetadata, checkSpaceAndDim, checkVector } from './validate.ts';

/** A jsonb containment predicate: every key must equal its value in the row's metadata. */
export type JsonFilter = Metadata;

export interface PgvectorOptions {
  pool: pg.Pool;
  /** A plain identifier ([a-z_][a-z0-9_]*), created in the pool's search_path schema. */
  table: string;
  dim: number;
  space: Space;
  /** hnsw.ef_search per query (pgvector's default is 40; max 1000). */
  efSearch?: number;
  m?: number;
  efConstruction?: number;
  /** Written to model_version on add (which embedding model made the vector). */
  modelVersion?: string;
}

const OPS: Record<Space, { op: string; opclass: string }> = {
  cosine: { op: '<=>', opclass: 'vector_cosine_ops' },
  l2: { op: '<->', opclass: 'vector_l2_ops' },
  ip: { op: '<#>', opclass: 'vector_ip_ops' },
};

/** Without iterative scans a filter is applied after ef_search candidates: widen to this instead. */
const FALLBACK_FILTER_EF = 1000;

export class PgvectorRetriever implements Retriever {
  readonly dim: number;
  readonly space: Space;
  readonly table: string;
  efSearch: number;
  private readonly pool: pg.Pool;
  private readonly m: number;
  private readonly efConstruction: number;
  private readonly modelVersion: string | null;
  /** pgvector's extversion, read by init(). */
  version = '';
  iterativeScan = false;

  constructor(options: PgvectorOptions) {
    checkSpaceAndDim(options.space, options.dim);
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.table)) {
      throw new RetrieverError(`table must match [a-z_][a-z0-9_]*, got ${JSON.stringify(options.table)}`);
    }
    this.pool = options.pool;
    this.table = options.table;
    this.dim = options.dim;
    this.space = options.space;
    this.efSearch = efInRange(options.efSearch ?? 100);
    this.m = options.m ?? 16;
    this.efConstruction = options.efConstruction ?? 64;
    this.modelVersion = options.modelVersion ?? null;
  }

  /** Creates the extension (if allowed and missing), the table and its HNSW index; reads the version. */
  async init(): Promise<void> {
    await this.pool.query('CREATE EXTENSION IF NOT EXISTS vector');
    const { rows } = await this.pool.query<{ v: string }>(
      "SELECT extversion AS v FROM pg_extension WHERE extname = 'vector'",
    );
    this.version = rows[0]?.v ?? '';
    const [major, minor] = this.version.split('.').map(Number);
    this.iterativeScan = major > 0 || (major === 0 && minor >= 8);
    const t = this.table;
    await this.pool.query(
      `CREATE TABLE IF NOT EXISTS ${t} (id text PRIMARY KEY, embedding vector(${this.dim}) NOT NULL,
         metadata jsonb NOT NULL DEFAULT '{}', model_version text)`,
    );
    await this.pool.query(
      `CREATE INDEX IF NOT EXISTS ${t}_hnsw ON ${t} USING hnsw (embedding ${OPS[this.space].opclass})
         WITH (m = ${this.m}, ef_construction = ${this.efConstruction})`,
    );
  }

  async add(id: string, vector: Vector, metadata?: Metadata): Promise<void> {
    await this.addMany([{ id, vector, metadata }]);
  }

  /** Upserts many rows in one statement per 500 (all validated before anything is sent). */
  async addMany(items: readonly { id: string; vector: Vector; metadata?: Metadata }[]): Promise<void> {
    const rows = items.map(({ id, vector, metadata }) => {
      checkId(id);
      return [
        id,
        literal(checkVector(vector, this.dim, this.space)),
        JSON.stringify(checkMetadata(metadata)),
      ];
    });
    for (let start = 0; start < rows.length; start += 500) {
      const chunk = rows.slice(start, start + 500);
      const values = chunk.map((_, i) => `($${3 * i + 1}, $${3 * i + 2}::vector, $${3 * i + 3}::jsonb, $mv)`);
      const params = chunk.flat();
      const sql =
        `INSERT INTO ${this.table} (id, embedding, metadata, model_version) VALUES ${values.join(', ')}
         ON CONFLICT (id) DO UPDATE SET embedding = EXCLUDED.embedding, metadata = EXCLUDED.metadata,
         model_version = EXCLUDED.model_version`.replaceAll('$mv', `$${params.length + 1}`);
      await this.pool.query(sql, [...params, this.modelVersion]);
    }
  }

  async remove(id: string): Promise<void> {
    checkId(id);
    const { rowCount } = await this.pool.query(`DELETE FROM ${this.table} WHERE id = $1`, [id]);
    if (!rowCount) throw new RetrieverError(`remove: unknown id ${JSON.stringify(id)}`);
  }

  /**
   * Nearest first. With a filter and pgvector >= 0.8, `hnsw.iterative_scan = relaxed_order` lets the
   * index scan continue until k rows pass the filter (relaxed order: re-sorted here by distance);
   * older pgvector gets ef_search = 1000, which still returns fewer than k for very selective filters.
   */
  async search(vector: Vector, k: number, filter?: Filter | JsonFilter): Promise<SearchHit[]> {
    checkK(k);
    const q = literal(checkVector(vector, this.dim, this.space, 'query'));
    if (typeof filter === 'function') {
      throw new RetrieverError(
        'PgvectorRetriever cannot run a function filter in SQL: pass a jsonb object such as { lang: "en" }',
      );
    }
    const where = filter === undefined ? '' : 'WHERE metadata @> $3::jsonb';
    const params: unknown[] = [q, k];
    if (filter !== undefined) params.push(JSON.stringify(checkMetadata(filter)));
    const ef = filter && !this.iterativeScan ? Math.max(this.efSearch, FALLBACK_FILTER_EF) : this.efSearch;
    const op = OPS[this.space].op;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // SET LOCAL lasts until COMMIT, so a pooled connection is never left with this query's settings.
      await client.query(`SET LOCAL hnsw.ef_search = ${efInRange(Math.max(ef, Math.min(k, 1000)))}`);
      if (filter && this.iterativeScan) await client.query('SET LOCAL hnsw.iterative_scan = relaxed_order');
      const { rows } = await client.query<{ id: string; d: number }>(
        `SELECT id, embedding ${op} $1::vector AS d FROM ${this.table} ${where} ORDER BY embedding ${op} $1::vector LIMIT $2`,
        params,
      );
      await client.query('COMMIT');
      const hits = rows.map((r) => ({ id: r.id, distance: this.space === 'l2' ? r.d * r.d : Number(r.d) }));
      return hits.sort((a, b) => a.distance - b.distance);
    } catch (cause) {
      await client.query('ROLLBACK').catch(() => {});
      throw cause;
    } finally {
      client.release();
    }
  }

  async size(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${this.table}`);
    return Number(rows[0].n);
  }
}

function literal(v: number[]): string {
  return `[${v.join(',')}]`;
}

function efInRange(ef: number): number {
  if (!Number.isSafeInteger(ef) || ef < 1 || ef > 1000) {
    throw new RetrieverError(`efSearch must be an integer in [1, 1000] (pgvector's range), got ${ef}`);
  }
  return ef;
}
