/**
 * Model versions in Postgres (Q18): a version is an integer per model name bound forever to one
 * artifact hash, with what it was trained on (data spec), the code that trained it and its recorded
 * metrics. Registering the same artifact again is not a new version, and a version never changes
 * meaning. The movable pointers to versions (aliases) and their history are aliases.ts.
 * Reference: MLflow Model Registry (registered model versions).
 */
import { execFileSync } from 'node:child_process';
import type { Queryable } from '@mlops-lab/services/sql';
import { RegistryError } from './errors.ts';
import { checkModelName, checkVersion } from './input.ts';

/**
 * The registry's first migration. It creates the alias tables (aliases.ts) with the versions' table
 * because it was applied that way: a migration is recorded by id, so it stays one.
 */
export const registryMigrations = [
  {
    id: '001_models_aliases',
    sql: `
      CREATE TABLE registry_models (
        name text NOT NULL,
        version integer NOT NULL CHECK (version > 0),
        artifact_hash text NOT NULL,
        data_ref text NOT NULL,
        code_version text,
        metrics jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (name, version)
      );
      CREATE TABLE registry_aliases (
        name text NOT NULL,
        alias text NOT NULL,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (name, alias),
        FOREIGN KEY (name, version) REFERENCES registry_models (name, version)
      );
      CREATE TABLE registry_alias_history (
        id bigserial PRIMARY KEY,
        name text NOT NULL,
        alias text NOT NULL,
        from_version integer,
        to_version integer NOT NULL,
        reason text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );`,
  },
];

export interface ModelVersion {
  name: string;
  version: number;
  hash: string;
  dataRef: string;
  codeVersion: string | null;
  metrics: Record<string, number | null>;
  createdAt: Date;
}

export interface RegisterInput {
  name: string;
  /** Omitted: the next integer for this name. Given: refused if it exists with another hash. */
  version?: number;
  hash: string;
  /** What the model was trained on, e.g. `payments seed=7 size=6000`. */
  dataRef: string;
  /** Default: `git rev-parse HEAD` when available, else null. */
  codeVersion?: string | null;
  metrics?: Record<string, number | null>;
}

let gitSha: string | null | undefined;
function defaultCodeVersion(): string | null {
  if (gitSha === undefined) {
    try {
      gitSha = execFileSync('git', ['rev-parse', 'HEAD'], { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    } catch {
      gitSha = null; // not a git checkout (e.g. an unpacked tarball): lineage says "unknown"
    }
  }
  return gitSha;
}

interface Row {
  name: string;
  version: number;
  artifact_hash: string;
  data_ref: string;
  code_version: string | null;
  metrics: Record<string, number | null>;
  created_at: Date;
}

function toVersion(r: Row): ModelVersion {
  return {
    name: r.name,
    version: r.version,
    hash: r.artifact_hash,
    dataRef: r.data_ref,
    codeVersion: r.code_version,
    metrics: r.metrics,
    createdAt: r.created_at,
  };
}

/** The version of `name` that already holds this artifact, if any (the oldest, when several do). */
export async function versionHolding(
  pool: Queryable,
  name: string,
  hash: string,
): Promise<ModelVersion | null> {
  checkModelName(name);
  const { rows } = await pool.query<Row>(
    'SELECT * FROM registry_models WHERE name = $1 AND artifact_hash = $2 ORDER BY version LIMIT 1',
    [name, hash],
  );
  return rows.length === 0 ? null : toVersion(rows[0]);
}

/** A registered version, and whether it was there already (nothing was written). */
export interface Registered extends ModelVersion {
  reused: boolean;
}

/**
 * Records a version. The same (name, version, hash) again is a no-op returning the existing row;
 * the same (name, version) with a different hash is refused: a version never changes meaning.
 * Without a version, an artifact this name already holds is not numbered again: the version holding
 * it is returned (`reused`), so retraining identical data does not grow the registry.
 */
export async function registerModel(pool: Queryable, input: RegisterInput): Promise<Registered> {
  checkModelName(input.name);
  if (!/^[0-9a-f]{64}$/.test(input.hash))
    throw new RegistryError('bad-input', 'hash must be a sha256 hex digest');
  if (input.version !== undefined) checkVersion(input.version);
  else {
    const held = await versionHolding(pool, input.name, input.hash);
    if (held) return { ...held, reused: true };
  }
  const code = input.codeVersion === undefined ? defaultCodeVersion() : input.codeVersion;
  // Auto-numbering can race with another registrant; the primary key decides, and we retry.
  for (let attempt = 0; attempt < 5; attempt++) {
    const { rows } = await pool.query<Row>(
      `INSERT INTO registry_models (name, version, artifact_hash, data_ref, code_version, metrics)
       SELECT $1, COALESCE($2::int, (SELECT COALESCE(MAX(version), 0) + 1 FROM registry_models WHERE name = $1)),
              $3, $4, $5, $6::jsonb
       ON CONFLICT (name, version) DO NOTHING
       RETURNING *`,
      [
        input.name,
        input.version ?? null,
        input.hash,
        input.dataRef,
        code,
        // An undefined metric is recorded as null (not measured), not dropped: champion checks it.
        JSON.stringify(input.metrics ?? {}, (_key, value) => (value === undefined ? null : value)),
      ],
    );
    if (rows.length === 1) return { ...toVersion(rows[0]), reused: false };
    if (input.version === undefined) continue;
    const existing = await getVersion(pool, input.name, input.version);
    if (existing.hash === input.hash) return { ...existing, reused: true };
    throw new RegistryError(
      'version-conflict',
      `${input.name}@${input.version} already exists with artifact ${existing.hash.slice(0, 12)}…; ` +
        `refusing to overwrite it with ${input.hash.slice(0, 12)}… (register a new version instead)`,
    );
  }
  throw new RegistryError(
    'version-conflict',
    `could not allocate a version for ${input.name} (too much contention)`,
  );
}

export async function getVersion(pool: Queryable, name: string, version: number): Promise<ModelVersion> {
  checkModelName(name);
  checkVersion(version);
  const { rows } = await pool.query<Row>('SELECT * FROM registry_models WHERE name = $1 AND version = $2', [
    name,
    version,
  ]);
  if (rows.length === 0) throw new RegistryError('not-found', `model ${name}@${version} is not registered`);
  return toVersion(rows[0]);
}

/** All versions of a model, oldest first. */
export async function listVersions(pool: Queryable, name: string): Promise<ModelVersion[]> {
  checkModelName(name);
  const { rows } = await pool.query<Row>('SELECT * FROM registry_models WHERE name = $1 ORDER BY version', [
    name,
  ]);
  return rows.map(toVersion);
}
