/**
 * The router's prediction log and the delayed outcomes joined to it (Q15, Q29). Every answer the
 * router gives (and every shadow answer it receives) is one row keyed by request id and role; labels
 * arrive later into their own table and meet the predictions in one SQL join.
 * The writer is asynchronous and buffered: the user's request never waits on Postgres. If Postgres is
 * away, rows wait in a bounded buffer and are written when it returns; beyond the bound they are
 * dropped and counted, so a gap in the log is always reported, never silent.
 * A served row names the version that answered; `fallback_from` the assigned version when it failed
 * and the champion answered instead, so an experiment can tell a challenger's users from its answers.
 */
import type { Migration, Services } from '@mlops-lab/services';
import type pg from 'pg';

export const routerMigrations: Migration[] = [
  {
    id: '001_predictions_outcomes',
    sql: `
      CREATE TABLE router_predictions (
        request_id text NOT NULL,
        role text NOT NULL CHECK (role IN ('served', 'shadow')),
        request_key text,
        version text NOT NULL,
        score real,
        decision text,
        latency_ms real,
        error text,
        at timestamptz NOT NULL,
        PRIMARY KEY (request_id, role)
      );
      CREATE TABLE router_outcomes (
        request_id text PRIMARY KEY,
        label smallint NOT NULL CHECK (label IN (0, 1)),
        at timestamptz NOT NULL DEFAULT now()
      );`,
  },
  {
    id: '002_fallback_attempts',
    sql: `
      ALTER TABLE router_predictions ADD COLUMN fallback_from text;
      ALTER TABLE router_predictions ADD COLUMN attempts smallint NOT NULL DEFAULT 1;`,
  },
];

export function migrateRouter(services: Pick<Services, 'migrate'>): Promise<void> {
  return services.migrate('router', routerMigrations);
}

export interface LoggedPrediction {
  requestId: string;
  role: 'served' | 'shadow';
  requestKey: string | null;
  version: string;
  score: number | null;
  decision: string | null;
  latencyMs: number;
  error: string | null;
  /** The assigned version when it failed and the champion answered (version is the champion's). */
  fallbackFrom?: string | null;
  /** Upstream calls made for this answer (1 unless retried or fallen back). */
  attempts?: number;
  at: Date;
}

export interface LogStats {
  written: number;
  pending: number;
  dropped: number;
  failedFlushes: number;
}

type Query = Pick<pg.Pool, 'query'>;

export class PredictionLog {
  private buffer: LoggedPrediction[] = [];
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> | undefined;
  private readonly counts = { written: 0, dropped: 0, failedFlushes: 0 };
  lastError: unknown;

  constructor(
    private readonly pg: Query,
    private readonly options: { flushEveryMs?: number; maxBuffered?: number; batchRows?: number } = {},
  ) {
    this.timer = setInterval(() => void this.flush(), options.flushEveryMs ?? 100);
    this.timer.unref();
  }

  /** Never throws, never waits. A full buffer drops the row and counts it. */
  add(row: LoggedPrediction): void {
    if (this.buffer.length >= (this.options.maxBuffered ?? 100_000)) {
      this.counts.dropped++;
      return;
    }
    this.buffer.push(row);
  }

  stats(): LogStats {
    return { ...this.counts, pending: this.buffer.length };
  }

  /** Writes what is buffered (one statement per batch); on failure the rows stay for the next try. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async write(): Promise<void> {
    while (this.buffer.length > 0) {
      const batch = this.buffer.slice(0, this.options.batchRows ?? 5000);
      try {
        await this.pg.query(
          `INSERT INTO router_predictions
             (request_id, role, request_key, version, score, decision, latency_ms, error, at,
              fallback_from, attempts)
           SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::real[], $6::text[],
                                $7::real[], $8::text[], $9::timestamptz[], $10::text[], $11::smallint[])
           ON CONFLICT (request_id, role) DO NOTHING`,
          [
            batch.map((r) => r.requestId),
            batch.map((r) => r.role),
            batch.map((r) => r.requestKey),
            batch.map((r) => r.version),
            batch.map((r) => r.score),
            batch.map((r) => r.decision),
            batch.map((r) => r.latencyMs),
            batch.map((r) => r.error),
            batch.map((r) => r.at.toISOString()),
            batch.map((r) => r.fallbackFrom ?? null),
            batch.map((r) => r.attempts ?? 1),
          ],
        );
      } catch (error) {
        this.counts.failedFlushes++;
        this.lastError = error;
        return; // Postgres away: keep the rows, the timer tries again
      }
      this.buffer.splice(0, batch.length);
      this.counts.written += batch.length;
    }
  }

  /** Stops the timer after a last flush; what could not be written stays visible in stats(). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}

export async function recordOutcomes(
  pg: Query,
  rows: { requestId: string; label: 0 | 1; at?: Date }[],
): Promise<void> {
  if (rows.length === 0) return;
  await pg.query(
    `INSERT INTO router_outcomes (request_id, label, at)
     SELECT * FROM unnest($1::text[], $2::smallint[], $3::timestamptz[])
     ON CONFLICT (request_id) DO UPDATE SET label = EXCLUDED.label, at = EXCLUDED.at`,
    [
      rows.map((r) => r.requestId),
      rows.map((r) => r.label),
      rows.map((r) => (r.at ?? new Date()).toISOString()),
    ],
  );
}

export interface JoinedPrediction {
  requestId: string;
  requestKey: string | null;
  servedVersion: string;
  servedScore: number | null;
  servedLatencyMs: number;
  /** Set when the assigned version failed and the champion (servedVersion) answered instead. */
  servedFallbackFrom: string | null;
  shadowVersion: string | null;
  shadowScore: number | null;
  shadowLatencyMs: number | null;
  shadowError: string | null;
  label: 0 | 1 | null;
  at: Date;
}

/** Served predictions with their shadow twin (if any) and their label (if it arrived), oldest first. */
export async function joinOutcomes(
  pg: Query,
  options: { since?: Date; onlyLabelled?: boolean } = {},
): Promise<JoinedPrediction[]> {
  const { rows } = await pg.query(
    `SELECT s.request_id, s.request_key, s.version AS served_version, s.score AS served_score,
            s.latency_ms AS served_latency, s.fallback_from, h.version AS shadow_version, h.score AS shadow_score,
            h.latency_ms AS shadow_latency, h.error AS shadow_error, o.label, s.at
       FROM router_predictions s
       LEFT JOIN router_predictions h ON h.request_id = s.request_id AND h.role = 'shadow'
       ${options.onlyLabelled ? 'JOIN' : 'LEFT JOIN'} router_outcomes o ON o.request_id = s.request_id
      WHERE s.role = 'served' AND s.at >= $1
      ORDER BY s.at, s.request_id`,
    [(options.since ?? new Date(0)).toISOString()],
  );
  return rows.map((r) => ({
    requestId: r.request_id,
    requestKey: r.request_key,
    servedVersion: r.served_version,
    servedScore: r.served_score,
    servedLatencyMs: r.served_latency,
    servedFallbackFrom: r.fallback_from,
    shadowVersion: r.shadow_version,
    shadowScore: r.shadow_score,
    shadowLatencyMs: r.shadow_latency,
    shadowError: r.shadow_error,
    label: r.label === null ? null : (Number(r.label) as 0 | 1),
    at: r.at,
  }));
}
