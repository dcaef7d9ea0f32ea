/**
 * Typed, actionable errors of @mlops-lab/services (ARCHITECTURE.md "Services": "a missing capability is a
 * clear error naming the fix"; Conventions: "Errors are typed and actionable").
 * Every ServiceError carries a stable `code` to branch on and a `hint` the CLI prints as the fix.
 */

export type ServiceErrorCode =
  /** An env/Docker URL did not answer (refused, timed out, auth or database rejected). */
  | 'UNREACHABLE'
  /** `pgvector` was needed but `CREATE EXTENSION vector` failed on the server. */
  | 'NO_VECTOR'
  /** Redis was needed, no env URL, no Docker engine, and no `redis-server` on PATH. */
  | 'NO_REDIS'
  /** The on-disk embedded Postgres data folder is held by another live run. */
  | 'EMBEDDED_IN_USE'
  /** An embedded server (PGlite, redis-server) failed to start. */
  | 'EMBEDDED_FAILED'
  /** A Docker engine answered but `docker compose up` failed. */
  | 'DOCKER_FAILED'
  /** A migration failed and was rolled back. */
  | 'MIGRATION_FAILED'
  /** `pg` or `redis` was used without being listed in `needs`. */
  | 'NOT_NEEDED';

export class ServiceError extends Error {
  override readonly name = 'ServiceError';
  readonly code: ServiceErrorCode;
  /** What to do about it, one or a few lines, printable as is. */
  readonly hint: string;

  constructor(code: ServiceErrorCode, message: string, hint: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.hint = hint;
  }
}

/** A failed migration: which owner and id, and the database's own message (the transaction was rolled back). */
export class MigrationError extends ServiceError {
  readonly owner: string;
  readonly migrationId: string;

  constructor(owner: string, migrationId: string, cause: unknown) {
    super(
      'MIGRATION_FAILED',
      `migration ${owner}/${migrationId} failed and was rolled back: ${errorMessage(cause)}`,
      `Fix the SQL of ${owner}/${migrationId}; migrations before it stay applied, it and later ones will run next time.`,
      { cause },
    );
    this.owner = owner;
    this.migrationId = migrationId;
  }
}

export function isServiceError(error: unknown, code?: ServiceErrorCode): error is ServiceError {
  return error instanceof ServiceError && (code === undefined || error.code === code);
}

/** `postgres://user:secret@host/db` -> `postgres://user:***@host/db`; non-URLs are returned unchanged. */
export function maskUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/** The message of anything thrown, including AggregateError (pg reports ECONNREFUSED per address that way). */
export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return errorMessage(error.errors[0]);
  }
  if (error instanceof Error) return error.message || (error as { code?: string }).code || error.name;
  return String(error);
}
