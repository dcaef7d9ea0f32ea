/**
 * The consumer side of the prediction log (Q26, Q35): a Redis Streams consumer group that writes
 * entries to Postgres in batches, idempotently.
 *
 * - Insert, then XACK + XDEL: a consumer that dies in between leaves its entries pending, and they are
 *   written again later; the primary key (request id, role) turns the second write into a no-op,
 *   counted as a duplicate delivery, so Postgres holds each prediction exactly once.
 * - A restarted consumer first re-reads its own pending entries (XREADGROUP from id 0); entries left
 *   pending by a consumer that never comes back are taken over with XAUTOCLAIM once idle for
 *   `claimIdleMs`.
 * - An entry that is not a valid record is written to prediction_log_rejected with the reason and
 *   acknowledged: one poison entry must not block the stream, nor vanish.
 * Reference: the Redis Streams documentation (consumer groups, XPENDING / XAUTOCLAIM recovery).
 */
import type { Queryable } from '@mlops-lab/services/sql';
import type { Redis } from 'ioredis';
import { MonitoringInputError } from './errors.ts';
import { ENTRY_FIELD } from './producer.ts';
import { checkRecord, type PredictionRecord } from './record.ts';
import { insertPredictions, insertRejected } from './store.ts';

export interface ConsumerOptions {
  stream: string;
  /** Consumer group name (default 'prediction-log'). */
  group?: string;
  /** This consumer's name within the group; a restart with the same name resumes its pending entries. */
  consumer: string;
  /** Entries per read and per insert (default 1000). */
  batch?: number;
  /** How long a read blocks waiting for new entries (default 200 ms). */
  blockMs?: number;
  /** Pending entries idle this long are claimed from whichever consumer held them (default 10 s). */
  claimIdleMs?: number;
}

export interface ConsumerStats {
  /** Entries read (first deliveries and redeliveries). */
  delivered: number;
  /** New rows in Postgres. */
  persisted: number;
  /** Entries whose row was already in Postgres (a redelivery after a crash). */
  duplicates: number;
  /** Entries taken over from another consumer by XAUTOCLAIM. */
  claimed: number;
  rejected: number;
  batches: number;
  /** Times the group was missing (Redis restarted empty) and was created again. */
  groupsRecreated: number;
}

type Entry = [id: string, fields: string[] | null];

/** Creates the group (and the stream) if missing; reading starts at the stream's beginning. */
export async function ensureGroup(redis: Redis, stream: string, group = 'prediction-log'): Promise<void> {
  try {
    await redis.xgroup('CREATE', stream, group, '0', 'MKSTREAM');
  } catch (error) {
    if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
  }
}

export interface Backlog {
  /** Entries in the stream: not yet persisted (the consumer deletes what it has persisted). */
  length: number;
  /** Delivered to a consumer and not acknowledged. */
  pending: number;
  /** Entries the group has not been given yet (Redis 7 `lag`; null when Redis cannot tell). */
  lag: number | null;
  /** Pending entries per consumer. */
  consumers: Record<string, number>;
}

/** The log's health as an operator reads it: length, pending and lag of the group. */
export async function backlog(redis: Redis, stream: string, group = 'prediction-log'): Promise<Backlog> {
  const length = await redis.xlen(stream);
  const groups = (await redis.xinfo('GROUPS', stream)) as (string | number | null)[][];
  const info = groups.map((g) => {
    const o: Record<string, string | number | null> = {};
    for (let i = 0; i + 1 < g.length; i += 2) o[String(g[i])] = g[i + 1];
    return o;
  });
  const mine = info.find((g) => g.name === group);
  if (!mine) throw new MonitoringInputError(`backlog: no consumer group '${group}' on stream ${stream}`);
  const consumers: Record<string, number> = {};
  const list = (await redis.xinfo('CONSUMERS', stream, group)) as (string | number)[][];
  for (const c of list) {
    const o: Record<string, string | number> = {};
    for (let i = 0; i + 1 < c.length; i += 2) o[String(c[i])] = c[i + 1];
    consumers[String(o.name)] = Number(o.pending);
  }
  return {
    length,
    pending: Number(mine.pending),
    lag: mine.lag === null || mine.lag === undefined ? null : Number(mine.lag),
    consumers,
  };
}

export class LogConsumer {
  private readonly o: Required<ConsumerOptions>;
  private readonly counts: ConsumerStats = {
    delivered: 0,
    persisted: 0,
    duplicates: 0,
    claimed: 0,
    rejected: 0,
    batches: 0,
    groupsRecreated: 0,
  };
  private ownPendingDone = false;
  private stopping = false;
  private running: Promise<void> | undefined;
  /** Test hook: runs after a batch is inserted and before it is acknowledged (a crash lands here). */
  afterInsert: ((entries: number) => void | Promise<void>) | undefined;

  /** `redis` must be a connection of its own: a blocking read holds it. */
  constructor(
    private readonly redis: Redis,
    private readonly pg: Queryable,
    options: ConsumerOptions,
  ) {
    this.o = { group: 'prediction-log', batch: 1000, blockMs: 200, claimIdleMs: 10_000, ...options };
    if (typeof this.o.consumer !== 'string' || this.o.consumer.length === 0)
      throw new MonitoringInputError('consumer: a consumer name is required (a restart reuses it)');
    if (!Number.isSafeInteger(this.o.batch) || this.o.batch < 1)
      throw new MonitoringInputError(`consumer: batch must be a positive integer, got ${this.o.batch}`);
    if (!(this.o.blockMs >= 0 && this.o.claimIdleMs >= 0))
      throw new MonitoringInputError('consumer: blockMs and claimIdleMs must be >= 0');
  }

  stats(): ConsumerStats {
    return { ...this.counts };
  }

  private async read(id: '0' | '>', block: boolean): Promise<Entry[]> {
    const args: (string | number)[] = ['GROUP', this.o.group, this.o.consumer, 'COUNT', this.o.batch];
    if (block && this.o.blockMs > 0) args.push('BLOCK', this.o.blockMs);
    const reply = (await (this.redis.xreadgroup as (...a: unknown[]) => Promise<unknown>)(
      ...args,
      'STREAMS',
      this.o.stream,
      id,
    )) as [string, Entry[]][] | null;
    return reply?.[0]?.[1] ?? [];
  }

  private async claim(): Promise<Entry[]> {
    const reply = (await this.redis.xautoclaim(
      this.o.stream,
      this.o.group,
      this.o.consumer,
      this.o.claimIdleMs,
      '0-0',
      'COUNT',
      this.o.batch,
    )) as [string, Entry[], string[]?];
    const entries = reply[1] ?? [];
    this.counts.claimed += entries.length;
    return entries;
  }

  /**
   * One step: own pending entries first (after a restart), then entries claimed from dead consumers,
   * then new ones. Returns how many entries it handled (0 when the stream had nothing).
   */
  async runOnce(): Promise<number> {
    let entries: Entry[] = [];
    try {
      if (!this.ownPendingDone) {
        entries = await this.read('0', false);
        if (entries.length === 0) this.ownPendingDone = true;
      }
      if (entries.length === 0) entries = await this.claim();
      if (entries.length === 0) entries = await this.read('>', true);
    } catch (error) {
      // A Redis restarted without persistence has neither the stream nor the group: recreate the group
      // (from the stream's start, so entries appended since the restart are read) and retry next step.
      if (String((error as Error).message).includes('NOGROUP')) {
        await ensureGroup(this.redis, this.o.stream, this.o.group);
        this.counts.groupsRecreated++;
      }
      throw error;
    }
    if (entries.length === 0) return 0;
    await this.handle(entries);
    return entries.length;
  }

  private async handle(entries: Entry[]): Promise<void> {
    const records: PredictionRecord[] = [];
    const rejected: { streamId: string; body: string; reason: string }[] = [];
    const ids: string[] = [];
    for (const [id, fields] of entries) {
      ids.push(id);
      // A pending entry deleted from the stream comes back without fields: nothing left to write.
      if (!fields) continue;
      const at = fields.indexOf(ENTRY_FIELD);
      const body = at >= 0 ? fields[at + 1] : JSON.stringify(fields);
      try {
        if (at < 0) throw new MonitoringInputError(`no '${ENTRY_FIELD}' field`);
        records.push(checkRecord(JSON.parse(body) as PredictionRecord));
      } catch (error) {
        rejected.push({ streamId: id, body, reason: (error as Error).message });
      }
    }
    this.counts.delivered += entries.length;
    // Postgres away: this throws, nothing is acknowledged, the entries stay pending for the retry,
    // which reads this consumer's pending entries first rather than waiting claimIdleMs for XAUTOCLAIM.
    let inserted: number;
    try {
      inserted = await insertPredictions(this.pg, records);
    } catch (error) {
      this.ownPendingDone = false;
      throw error;
    }
    this.counts.duplicates += records.length - inserted;
    this.counts.persisted += inserted;
    await insertRejected(this.pg, rejected);
    this.counts.rejected += rejected.length;
    await this.afterInsert?.(entries.length);
    // Acknowledge only now: everything in `ids` is in Postgres (or in the rejected table).
    await this.redis
      .pipeline()
      .xack(this.o.stream, this.o.group, ...ids)
      .xdel(this.o.stream, ...ids)
      .exec();
    this.counts.batches++;
  }

  /** Runs until stop(); errors (Postgres or Redis away) are retried after a pause, not fatal. */
  start(onError: (error: unknown) => void = () => {}): void {
    this.stopping = false;
    this.running ??= (async () => {
      while (!this.stopping) {
        try {
          await this.runOnce();
        } catch (error) {
          onError(error);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    })().finally(() => {
      this.running = undefined;
    });
  }

  /** Handles everything in the stream until it is empty and nothing is pending for this consumer. */
  async drain(): Promise<void> {
    while ((await this.runOnce()) > 0) {}
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }
}
