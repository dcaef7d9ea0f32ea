/**
 * The producer side of the prediction log (Q26, Q35): a server appends each served prediction here and
 * never waits on it. Records are buffered in memory and written to a Redis Stream in pipelined
 * batches (one round trip per batch, not per prediction).
 *
 * Back-pressure, the documented policy: the stream is bounded by `maxBacklog` entries. The consumer
 * deletes what it has persisted (XACK + XDEL), so the stream's length is exactly the work not yet in
 * Postgres. When the backlog is full the producer stops writing and keeps records in its buffer; when
 * the buffer (`maxBuffered`) is full too, a new record is dropped and counted. XADD's MAXLEN is not
 * used on purpose: it trims the oldest entries whether or not they were persisted, a silent loss.
 */
import type { Redis } from 'ioredis';
import { MonitoringInputError } from './errors.ts';
import { checkRecord, type PredictionRecord } from './record.ts';

export interface ProducerOptions {
  /** Stream key (use services.key('predictions') for a per-run name). */
  stream: string;
  /** Entries the stream may hold before the producer holds back (default 200,000). */
  maxBacklog?: number;
  /** Records the producer may hold in memory while Redis is away or the backlog is full (default 50,000). */
  maxBuffered?: number;
  /** Records per pipelined write (default 500). */
  batch?: number;
  /** Background flush period (default 20 ms); 0 means flush() only. */
  flushEveryMs?: number;
}

export interface ProducerStats {
  /** Records written to the stream. */
  appended: number;
  /** Records refused because the buffer was full: counted, never silent. */
  dropped: number;
  buffered: number;
  /** Flushes that wrote nothing because the backlog was at its bound. */
  heldBack: number;
  failedFlushes: number;
}

/** The field name an entry's JSON body is stored under. */
export const ENTRY_FIELD = 'p';

export class PredictionProducer {
  private buffer: string[] = [];
  private readonly counts = { appended: 0, dropped: 0, heldBack: 0, failedFlushes: 0 };
  private readonly timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly o: Required<ProducerOptions>;
  lastError: unknown;

  constructor(
    private readonly redis: Redis,
    options: ProducerOptions,
  ) {
    this.o = { maxBacklog: 200_000, maxBuffered: 50_000, batch: 500, flushEveryMs: 20, ...options };
    for (const k of ['maxBacklog', 'maxBuffered', 'batch'] as const) {
      if (!Number.isSafeInteger(this.o[k]) || this.o[k] < 1)
        throw new MonitoringInputError(`producer: ${k} must be a positive integer, got ${this.o[k]}`);
    }
    if (typeof this.o.stream !== 'string' || this.o.stream.length === 0)
      throw new MonitoringInputError('producer: stream must be a non-empty key');
    if (this.o.flushEveryMs > 0) {
      this.timer = setInterval(() => void this.flush(), this.o.flushEveryMs);
      this.timer.unref();
    }
  }

  /**
   * Checks the record (a bad one throws MonitoringInputError at the caller, who can fix it) and buffers
   * it. Never waits. Returns false when the buffer is full and the record was dropped (and counted).
   */
  append(record: PredictionRecord): boolean {
    const body = JSON.stringify(checkRecord(record));
    if (this.buffer.length >= this.o.maxBuffered) {
      this.counts.dropped++;
      return false;
    }
    this.buffer.push(body);
    return true;
  }

  stats(): ProducerStats {
    return { ...this.counts, buffered: this.buffer.length };
  }

  /** Writes what is buffered, as far as the backlog bound allows; on a Redis error the rows stay. */
  flush(): Promise<void> {
    this.flushing ??= this.write().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async write(): Promise<void> {
    while (this.buffer.length > 0) {
      try {
        const length = await this.redis.xlen(this.o.stream);
        const room = Math.min(this.o.batch, this.o.maxBacklog - length);
        if (room <= 0) {
          this.counts.heldBack++;
          return;
        }
        const batch = this.buffer.slice(0, room);
        const pipeline = this.redis.pipeline();
        for (const body of batch) pipeline.xadd(this.o.stream, '*', ENTRY_FIELD, body);
        const results = (await pipeline.exec()) ?? [];
        // Entries before the first failure are in the stream; keep the rest for the next flush.
        let written = 0;
        while (written < results.length && !results[written][0]) written++;
        this.buffer.splice(0, written);
        this.counts.appended += written;
        if (written < batch.length) throw results[written]?.[0] ?? new Error('pipeline returned no result');
      } catch (error) {
        this.counts.failedFlushes++;
        this.lastError = error;
        return;
      }
    }
  }

  /** Stops the timer after a last flush; what could not be written stays visible in stats(). */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
