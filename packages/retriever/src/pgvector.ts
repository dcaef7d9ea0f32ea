/**
 * PgvectorRetriever (Q22): vectors in a Postgres table with pgvector's HNSW index, for when the data
 * already lives in Postgres and the scale is moderate. Runs on a real pgvector server and on the
 * embedded PGlite (pgvector 0.8.x) through the same `pg` pool from @mlops-lab/services.
 *
 * pgvector does: the `vector(dim)` type, the HNSW index (m, ef_construction) per operator class,
 * `hnsw.ef_search`, iterative index scans (>= 0.8: keep scanning until LIMIT rows pass the WHERE).
 * Written here: per-query settings in a transaction (SET LOCAL), version detection with a fallback to
 * a wide ef_search, the filter as SQL, and distance conversion to the contract's scale:
 *   `<=>` cosine distance (1 - cos): as is;  `<->` L2 (the root): squared;  `<#>` negative inner product: as is.
 * Reference: github.com/pgvector/pgvector README ("HNSW", "Filtering", "Iterative Index Scans").
 *
 * Filters: the contract's declarative filter (filter.ts) becomes jsonb containment on the metadata
 * column, parameterised (`{ lang: 'en' }` is `metadata @> $3::jsonb` with $3 = '{"lang":"en"}'), so
 * Postgres filters inside the index scan; a function filter is refused (UnsupportedFilterError).
 */
import type pg from 'pg';
import { RetrieverError } from './errors.ts';
import { compileFilter, toSql } from './filter.ts';
import type { Filter, Metadata, Retriever, SearchHit, Space, Vector } from './types.ts';
import { checkId, checkK, checkMetadata, checkSpaceAndDim, checkVector } from './validate.ts';

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

/** pgvector's largest hnsw.ef_search; without iterative scans a filter gets this instead. */
const MAX_EF = 1000;

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
   * Nearest first. One HNSW index scan yields at most ef_search rows (at most 1000), before the
   * WHERE. So with a filter, or a k above ef_search, pgvector >= 0.8 gets `hnsw.iterative_scan =
   * relaxed_order`: the scan continues until k rows pass (relaxed order: re-sorted here by distance),
   * up to hnsw.max_scan_tuples (20,000 by default). Older pgvector gets ef_search = 1000 for a filter,
   * which can still return fewer than k for a very selective one, and a sequential scan (exact) for
   * k above 1000, which the index cannot serve.
   */
  async search(vector: Vector, k: number, filter?: Filter): Promise<SearchHit[]> {
    checkK(k);
    const q = literal(checkVector(vector, this.dim, this.space, 'query'));
    const compiled = compileFilter(filter);
    const sqlFilter = compiled && toSql(compiled, 'metadata', 3);
    const params: unknown[] = [q, k, ...(sqlFilter?.params ?? [])];
    const ef = efInRange(
      Math.min(MAX_EF, Math.max(k, sqlFilter && !this.iterativeScan ? MAX_EF : this.efSearch)),
    );
    const more = sqlFilter !== undefined || k > ef;
    const op = OPS[this.space].op;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // SET LOCAL lasts until COMMIT, so a pooled connection is never left with this query's settings.
      await client.query(`SET LOCAL hnsw.ef_search = ${ef}`);
      if (more && this.iterativeScan) await client.query('SET LOCAL hnsw.iterative_scan = relaxed_order');
      else if (k > ef) await client.query('SET LOCAL enable_indexscan = off');
      const { rows } = await client.query<{ id: string; d: number }>(
        `SELECT id, embedding ${op} $1::vector AS d FROM ${this.table}
         ${sqlFilter ? `WHERE ${sqlFilter.where}` : ''} ORDER BY embedding ${op} $1::vector LIMIT $2`,
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
