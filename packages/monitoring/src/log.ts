/**
 * The prediction log of one service, wired in one place (Q26, Q35): the producer a server appends to
 * (never waits, bounded, drops counted: producer.ts), a consumer of the group writing Postgres
 * (insert then ack, idempotent: consumer.ts), and `persisted()`, the moment a reader may trust the
 * table: every record appended so far is in Postgres. Labs, the router and the model server's callers
 * open it here instead of each keeping a stream consumer of their own.
 */

import type { Migration } from '@mlops-lab/services';
import type { Queryable } from '@mlops-lab/services/sql';
import type { Redis } from 'ioredis';
import { type Backlog, backlog, type ConsumerStats, ensureGroup, LogConsumer } from './consumer.ts';
import { PredictionProducer, type ProducerOptions, type ProducerStats } from './producer.ts';
import type { PredictionRecord } from './record.ts';
import { migrateMonitoring } from './store.ts';

export interface PredictionLogOptions {
  /** Stream key (services.key('predictions') gives a per-run name). */
  stream: string;
  /** The consumer's name in the group (default 'logger-1'); a restart under it resumes its pending entries. */
  consumer?: string;
  /** Entries per read and per insert of the consumer (default 1000). */
  batch?: number;
  /** The producer's bounds and flush period (producer.ts). */
  producer?: Omit<ProducerOptions, 'stream'>;
  /** Where the consumer writes (default the services' pool): a test passes one that fails on purpose. */
  pg?: Queryable;
}

export interface PredictionLogStats {
  producer: ProducerStats;
  consumer: ConsumerStats;
}

export class PredictionLog {
  private consumerErrors = 0;
  lastConsumerError: unknown;

  private current: LogConsumer;

  private constructor(
    private readonly redis: Redis,
    private readonly consumerRedis: Redis,
    private readonly pg: Queryable,
    private readonly options: PredictionLogOptions,
    readonly producer: PredictionProducer,
  ) {
    this.current = this.newConsumer();
  }

  get stream(): string {
    return this.options.stream;
  }

  /** The consumer running now (a restart replaces it). */
  get consumer(): LogConsumer {
    return this.current;
  }

  /**
   * Creates the tables (idempotent) and the group, and starts the consumer on a connection of its own
   * (its blocking read holds it). Errors of the consumer (Postgres away) are retried, and counted.
   */
  static async open(
    services: {
      redis: Redis;
      pg: Queryable;
      migrate(owner: string, migrations: Migration[]): Promise<void>;
    },
    options: PredictionLogOptions,
  ): Promise<PredictionLog> {
    await migrateMonitoring(services);
    await ensureGroup(services.redis, options.stream);
    const producer = new PredictionProducer(services.redis, { ...options.producer, stream: options.stream });
    const consumerRedis = services.redis.duplicate();
    // Its commands reject on their own while Redis is away (and are counted below); without a listener
    // ioredis would also print every reconnect attempt.
    consumerRedis.on('error', () => {});
    const log = new PredictionLog(
      services.redis,
      consumerRedis,
      options.pg ?? services.pg,
      options,
      producer,
    );
    log.startConsumer();
    return log;
  }

  private newConsumer(): LogConsumer {
    return new LogConsumer(this.consumerRedis, this.pg, {
      stream: this.options.stream,
      consumer: this.options.consumer ?? 'logger-1',
      batch: this.options.batch ?? 1000,
    });
  }

  private startConsumer(): void {
    this.current.start((error) => {
      this.consumerErrors++;
      this.lastConsumerError = error;
    });
  }

  /**
   * Stops the consumer and starts another under the same name, as a process restarted after a crash
   * would: it first re-reads the entries the old one left pending (inserted, never acknowledged), and
   * the primary key makes each second insert a counted duplicate. `prepare` runs before it starts
   * (where a test sets its hook). Returns the new consumer; each one counts its own stats.
   */
  async restartConsumer(prepare?: (consumer: LogConsumer) => void): Promise<LogConsumer> {
    await this.current.stop();
    this.current = this.newConsumer();
    prepare?.(this.current);
    this.startConsumer();
    return this.current;
  }

  /** The caller's side: checks the record, buffers it, never waits; false when dropped (and counted). */
  append(record: PredictionRecord): boolean {
    return this.producer.append(record);
  }

  stats(): PredictionLogStats & { consumerErrors: number } {
    return {
      producer: this.producer.stats(),
      consumer: this.current.stats(),
      consumerErrors: this.consumerErrors,
    };
  }

  backlog(): Promise<Backlog> {
    return backlog(this.redis, this.stream);
  }

  /**
   * Resolves once every record appended so far is in Postgres: the producer's buffer is written and
   * the stream is empty (the consumer deletes an entry only after its row is in). Polls the log's
   * own state; past `timeoutMs` it throws with what is still outstanding, so a stuck pipeline is
   * named rather than waited on for ever.
   */
  async persisted(timeoutMs = 120_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.producer.flush();
      const buffered = this.producer.stats().buffered;
      let b: Backlog | undefined;
      let why: unknown;
      try {
        // Redis away, or back empty before the consumer recreated its group: not persisted yet.
        b = buffered === 0 ? await this.backlog() : undefined;
      } catch (error) {
        why = error;
      }
      if (b && b.length === 0 && b.pending === 0) return;
      if (Date.now() > deadline)
        throw new Error(
          `prediction log: not persisted after ${timeoutMs} ms: ${buffered} records buffered, ` +
            `${b?.length ?? '?'} in the stream, ${b?.pending ?? '?'} pending (${this.consumerErrors} consumer errors, ` +
            `last: ${String(why ?? this.lastConsumerError ?? this.producer.lastError ?? 'none')})`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /**
   * A last flush, then the consumer stops after its current step. Nothing is dropped by closing: what
   * was not persisted yet stays in the stream for the next consumer, and stats() says how much.
   */
  async close(): Promise<void> {
    await this.producer.close();
    await this.current.stop();
    this.consumerRedis.disconnect();
  }
}
