/**
 * The point-in-time join of the offline benchmark done by DuckDB's ASOF JOIN on the same data, as an
 * outside baseline measured in the same run (Q7; ARCHITECTURE.md "Conventions"). DuckDB documents
 * `ASOF LEFT JOIN ... ON e.k = f.k AND e.ts >= f.ts` as "the latest feature row at or before each
 * entity row", which is the join's rule; the ttl is then one comparison on the matched row (a latest
 * row older than the ttl means no row in the window). The generated history has no two rows of an
 * entity at the same event time, so ASOF needs no tiebreak here; `checksum` shows both joins return
 * the same rows rather than trusting that.
 *
 * Timings are the query plus reading the result into JS arrays (ours returns JS objects too), with
 * DuckDB's default thread count and then with one; the load (DuckDB's appender) is timed apart.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { median } from '@mlops-lab/benchkit';
import { FNV32_OFFSET, fnv1a32 } from '@mlops-lab/datagen';
import type { History } from '../../src/testing/history.ts';

/** One joined row as both joins are compared: the matched event ms and the features, or null. */
export interface JoinedRow {
  event: number | null;
  amount: number | null;
  txns: number | null;
  segment: string | null;
}

export interface DuckDbAsof {
  version: string;
  threads: number;
  loadMs: number;
  /** Median with DuckDB's default thread count (`threads`), then with one thread (PGlite runs on one). */
  joinMs: number;
  joinMsOneThread: number;
  rows: JoinedRow[];
}

/** Loads `history` into an in-memory DuckDB and times `runs` ASOF joins after one warm-up, twice. */
export async function duckdbAsof(history: History, ttlMs: number, runs: number): Promise<DuckDbAsof> {
  const db = await DuckDBInstance.create(':memory:');
  const c = await db.connect();
  try {
    const t0 = performance.now();
    await c.run(`CREATE TABLE features (customer_id VARCHAR, event_ms BIGINT, created_ms BIGINT,
                   amount_7d DOUBLE, txn_count_7d BIGINT, segment VARCHAR)`);
    await c.run('CREATE TABLE entity (ord INTEGER, customer_id VARCHAR, ts BIGINT)');
    const features = await c.createAppender('features');
    for (const r of history.featureRows) {
      features.appendVarchar(r.entityId);
      features.appendBigInt(BigInt(r.eventTimestamp));
      features.appendBigInt(BigInt(r.createdTimestamp));
      features.appendDouble(r.values.amount_7d);
      features.appendBigInt(BigInt(r.values.txn_count_7d));
      if (r.values.segment === null) features.appendNull();
      else features.appendVarchar(r.values.segment);
      features.endRow();
    }
    features.closeSync();
    const entity = await c.createAppender('entity');
    history.entityRows.forEach((r, i) => {
      entity.appendInteger(i);
      entity.appendVarchar(r.entityId);
      entity.appendBigInt(BigInt(r.timestamp));
      entity.endRow();
    });
    entity.closeSync();
    const loadMs = performance.now() - t0;

    // In the window: event in [ts - ttl, ts], both ends inclusive, as getHistoricalFeatures.
    const inWindow = `f.event_ms >= e.ts - ${Math.floor(ttlMs)}`;
    const sql = `
      SELECT CASE WHEN ${inWindow} THEN f.event_ms END AS event_ms,
             CASE WHEN ${inWindow} THEN f.amount_7d END AS amount_7d,
             CASE WHEN ${inWindow} THEN f.txn_count_7d END AS txn_count_7d,
             CASE WHEN ${inWindow} THEN f.segment END AS segment
      FROM entity e ASOF LEFT JOIN features f ON e.customer_id = f.customer_id AND e.ts >= f.event_ms
      ORDER BY e.ord`;
    const join = async () => (await c.runAndReadAll(sql)).getRowsJS();
    let raw = await join(); // warm-up
    const timeJoins = async () => {
      const times: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t = performance.now();
        raw = await join();
        times.push(performance.now() - t);
      }
      return median(times);
    };
    const setting = (await c.runAndReadAll("SELECT current_setting('threads'), version()")).getRowsJS()[0];
    const joinMs = await timeJoins();
    await c.run('SET threads = 1');
    const joinMsOneThread = await timeJoins();
    const num = (v: unknown) => (v === null ? null : Number(v));
    const rows = raw.map(([event, amount, txns, segment]) => ({
      event: num(event),
      amount: num(amount),
      txns: num(txns),
      segment: segment === null ? null : String(segment),
    }));
    return {
      version: String(setting[1]),
      threads: Number(setting[0]),
      loadMs,
      joinMs,
      joinMsOneThread,
      rows,
    };
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** Rows matched and an FNV-1a hash over every row in order: equal results give equal pairs. */
export function checksum(rows: readonly JoinedRow[]): { matched: number; hash: string } {
  let h = FNV32_OFFSET;
  let matched = 0;
  for (const r of rows) {
    if (r.event !== null) matched++;
    h = fnv1a32(r.event === null ? 'null\n' : `${r.event}|${r.amount}|${r.txns}|${r.segment}\n`, h);
  }
  return { matched, hash: h.toString(16).padStart(8, '0') };
}
