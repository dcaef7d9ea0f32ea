/**
 * The prediction log under a crash: a consumer process is killed with SIGKILL in the middle of a
 * batch (its rows inserted, none acknowledged) while the producer keeps appending; the consumer is
 * restarted under the same name. Counts what was lost and what was written twice (goal: 0 and 0).
 * And Redis killed and restarted empty under a running PredictionLog: appends made while it is down
 * neither wait nor fail, and reach Postgres once it is back (the consumer recreates its group).
 */
import { randomBytes } from 'node:crypto';
import { startKillableRedis } from '@mlops-lab/services/testing';
import { testChildren, testServices } from '@mlops-lab/services/vitest';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { backlog, ensureGroup, LogConsumer } from './consumer.ts';
import { records } from './fixtures/records.ts';
import { PredictionLog } from './log.ts';
import { PredictionProducer } from './producer.ts';
import { migrateMonitoring } from './store.ts';

const namespace = `monitoring_faults_${randomBytes(4).toString('hex')}`;
const services = testServices({
  needs: ['postgres', 'redis'],
  namespace,
  shared: true,
  prepare: migrateMonitoring,
});
const consumerProcess = testChildren(services, namespace);
const fixture = new URL('./fixtures/consumer-process.ts', import.meta.url);

describe('prediction log under a consumer crash', () => {
  it('kill -9 mid-batch, restart: rows in Postgres = predictions served, exactly', async () => {
    const stream = services.key('faults');
    await ensureGroup(services.redis, stream);
    const total = 6000;
    const producer = new PredictionProducer(services.redis, { stream, flushEveryMs: 5, batch: 200 });
    const child = consumerProcess(fixture, {
      STREAM: stream,
      CONSUMER: 'logger-1',
      BATCH: '500',
      HANG_AT: '3',
    });
    await child.printed('ready', 'the consumer process to start');
    // The producer keeps serving while the consumer dies: appends spread over the whole test.
    const all = records('k', total);
    const serving = (async () => {
      for (let i = 0; i < total; i += 100) {
        for (const r of all.slice(i, i + 100)) producer.append(r);
        await new Promise((r) => setTimeout(r, 2));
      }
      await producer.close();
    })();
    await child.printed('hanging', 'the consumer to stop inside a batch');
    await child.kill();
    const atCrash = await backlog(services.redis, stream);
    expect(atCrash.consumers['logger-1']).toBeGreaterThan(0); // a batch in Postgres but not acknowledged

    await serving;
    const restarted = new LogConsumer(services.newRedis(), services.pg, {
      stream,
      consumer: 'logger-1',
      batch: 500,
    });
    await restarted.drain();

    const { rows } = await services.pg.query<{ n: number; distinct: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT request_id)::int AS distinct FROM prediction_log WHERE request_id LIKE 'k-%'`,
    );
    const lost = total - rows[0].distinct;
    const doubled = rows[0].n - rows[0].distinct;
    expect({ lost, doubled }).toEqual({ lost: 0, doubled: 0 });
    expect(producer.stats()).toMatchObject({ appended: total, dropped: 0 });
    // The hung batch came back to the restarted consumer and was recognised, not written again.
    expect(restarted.stats().duplicates).toBe(atCrash.consumers['logger-1']);
    expect(await backlog(services.redis, stream)).toMatchObject({ length: 0, pending: 0 });
  });
});

describe('a PredictionLog whose consumer crashes between insert and ack', () => {
  it('restartConsumer: the new consumer re-reads what was pending, persisted() then holds', async () => {
    const log = await PredictionLog.open(services, {
      stream: services.key('restart-consumer'),
      batch: 100,
      producer: { flushEveryMs: 5 },
    });
    try {
      log.consumer.afterInsert = () => {
        throw new Error('consumer crashed after insert, before ack');
      };
      for (const r of records('c', 500)) log.append(r);
      await log.producer.flush();
      // Every entry delivered and inserted, none acknowledged.
      await expect.poll(async () => (await log.backlog()).pending, { timeout: 30_000 }).toBe(500);
      const crashed = log.consumer;
      const restarted = await log.restartConsumer();
      expect(log.consumer).toBe(restarted);
      await log.persisted();
      const { rows } = await services.pg.query<{ n: number; distinct: number }>(
        `SELECT count(*)::int AS n, count(DISTINCT request_id)::int AS distinct FROM prediction_log WHERE request_id LIKE 'c-%'`,
      );
      expect(rows[0]).toEqual({ n: 500, distinct: 500 });
      // What the crashed consumer inserted and never acknowledged came back as counted duplicates.
      expect(crashed.stats().persisted).toBe(500);
      expect(restarted.stats()).toMatchObject({ duplicates: 500, persisted: 0 });
      expect(log.stats().consumerErrors).toBeGreaterThan(0);
    } finally {
      await log.close();
    }
  });
});

describe('prediction log under a Redis restart', () => {
  it('appends while Redis is down are kept, and persisted once it is back', async () => {
    const server = await startKillableRedis();
    // Commands fail fast while the server is gone instead of queueing: the producer keeps its buffer.
    const redis = new Redis(server.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
    redis.on('error', () => {});
    const count = async () =>
      (
        await services.pg.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM prediction_log WHERE request_id LIKE 'r-%'",
        )
      ).rows[0].n;
    const log = await PredictionLog.open(
      { redis, pg: services.pg, migrate: (owner, m) => services.migrate(owner, m) },
      { stream: 'restart', producer: { flushEveryMs: 5 } },
    );
    try {
      const all = records('r', 1500);
      for (const r of all.slice(0, 1000)) log.append(r);
      await log.persisted();
      expect(await count()).toBe(1000);

      await server.kill();
      // Appends never wait on Redis: each one returns at once, accepted into the buffer.
      expect(all.slice(1000).every((r) => log.append(r))).toBe(true);
      await log.producer.flush();
      expect(log.stats().producer).toMatchObject({ buffered: 500, dropped: 0 });
      expect(log.stats().producer.failedFlushes).toBeGreaterThan(0);

      await server.restart(); // empty: no stream, no group
      await log.persisted();
      expect(await count()).toBe(1500);
      expect(log.stats().producer).toMatchObject({ appended: 1500, buffered: 0, dropped: 0 });
      expect(log.stats().consumer.groupsRecreated).toBeGreaterThan(0);
    } finally {
      await log.close();
      redis.disconnect();
      await server.stop();
    }
  });
});
