/**
 * The prediction log end to end against real Redis and Postgres: every appended record lands exactly
 * once, a redelivered batch is a counted duplicate and not a second row, bad records are refused at
 * the producer and poison entries are kept with their reason, and the backlog bound holds records
 * back (then drops and counts them) instead of trimming unpersisted entries.
 */
import { testServices } from '@mlops-lab/services/vitest';
import { describe, expect, it } from 'vitest';
import { backlog, ensureGroup, LogConsumer } from './consumer.ts';
import { MonitoringInputError } from './errors.ts';
import { records } from './fixtures/records.ts';
import { PredictionProducer } from './producer.ts';
import { insertPredictions, migrateMonitoring, readLogged, recordLabels } from './store.ts';

const services = testServices({
  needs: ['postgres', 'redis'],
  namespace: 'monitoring-log',
  prepare: migrateMonitoring,
});

const count = async (prefix: string) =>
  (
    await services.pg.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM prediction_log WHERE request_id LIKE $1',
      [`${prefix}-%`],
    )
  ).rows[0].n;

describe('prediction log', () => {
  it('persists every appended record once, and empties the stream', async () => {
    const stream = services.key('s1');
    await ensureGroup(services.redis, stream);
    const producer = new PredictionProducer(services.redis, { stream, flushEveryMs: 0, batch: 300 });
    for (const r of records('a', 2500)) expect(producer.append(r)).toBe(true);
    await producer.flush();
    expect(producer.stats()).toMatchObject({ appended: 2500, dropped: 0, buffered: 0 });
    const consumer = new LogConsumer(services.newRedis(), services.pg, {
      stream,
      consumer: 'c1',
      batch: 700,
    });
    await consumer.drain();
    expect(await count('a')).toBe(2500);
    expect(consumer.stats()).toMatchObject({ persisted: 2500, duplicates: 0, rejected: 0 });
    expect(await backlog(services.redis, stream)).toMatchObject({ length: 0, pending: 0 });
  });

  it('a batch delivered twice (crash between insert and ack) makes no second row', async () => {
    const stream = services.key('s2');
    await ensureGroup(services.redis, stream);
    const producer = new PredictionProducer(services.redis, { stream, flushEveryMs: 0 });
    for (const r of records('b', 400)) producer.append(r);
    await producer.flush();
    const first = new LogConsumer(services.newRedis(), services.pg, { stream, consumer: 'c1', batch: 150 });
    first.afterInsert = () => {
      throw new Error('crash after insert, before ack');
    };
    await expect(first.runOnce()).rejects.toThrow('crash after insert');
    expect(await count('b')).toBe(150);
    expect((await backlog(services.redis, stream)).pending).toBe(150);
    // Another consumer takes the dead one's pending entries over (idle bound 0 for the test).
    const second = new LogConsumer(services.newRedis(), services.pg, {
      stream,
      consumer: 'c2',
      batch: 150,
      claimIdleMs: 0,
    });
    await second.drain();
    expect(await count('b')).toBe(400);
    expect(second.stats()).toMatchObject({ claimed: 150, duplicates: 150, persisted: 250 });
    expect(await backlog(services.redis, stream)).toMatchObject({ length: 0, pending: 0 });
  });

  it('refuses a bad record at the producer, before it reaches the stream', () => {
    const producer = new PredictionProducer(services.redis, { stream: services.key('s3'), flushEveryMs: 0 });
    const [good] = records('c', 1);
    expect(() => producer.append({ ...good, requestId: '' })).toThrow(MonitoringInputError);
    expect(() => producer.append({ ...good, score: Number.NaN })).toThrow(/score must be a finite number/);
    expect(() => producer.append({ ...good, at: 1.5 })).toThrow(/at must be/);
    expect(producer.stats().buffered).toBe(0);
    expect(() => new PredictionProducer(services.redis, { stream: '', flushEveryMs: 0 })).toThrow(/stream/);
  });

  it('keeps a poison entry with its reason and acknowledges it, so the stream moves on', async () => {
    const stream = services.key('s4');
    await ensureGroup(services.redis, stream);
    await services.redis.xadd(stream, '*', 'p', '{not json');
    await services.redis.xadd(stream, '*', 'p', JSON.stringify({ ...records('d', 1)[0], latencyMs: -1 }));
    await services.redis.xadd(stream, '*', 'p', JSON.stringify(records('d', 2)[1]));
    const consumer = new LogConsumer(services.newRedis(), services.pg, { stream, consumer: 'c1' });
    await consumer.drain();
    expect(consumer.stats()).toMatchObject({ persisted: 1, rejected: 2 });
    const { rows } = await services.pg.query('SELECT reason FROM prediction_log_rejected ORDER BY stream_id');
    expect(rows.map((r) => r.reason)).toEqual([
      expect.stringMatching(/JSON/),
      expect.stringMatching(/latencyMs/),
    ]);
    expect((await backlog(services.redis, stream)).length).toBe(0);
  });

  it('holds records back at the backlog bound, then drops and counts them when its buffer is full', async () => {
    const stream = services.key('s5');
    await ensureGroup(services.redis, stream);
    const producer = new PredictionProducer(services.redis, {
      stream,
      flushEveryMs: 0,
      maxBacklog: 100,
      maxBuffered: 150,
    });
    const rs = records('e', 300);
    const accepted = rs.filter((r) => producer.append(r)).length;
    expect(accepted).toBe(150);
    await producer.flush();
    expect(await services.redis.xlen(stream)).toBe(100); // nothing beyond the bound, nothing trimmed
    expect(producer.stats()).toMatchObject({ appended: 100, buffered: 50, dropped: 150 });
    expect(producer.stats().heldBack).toBeGreaterThan(0);
    const consumer = new LogConsumer(services.newRedis(), services.pg, { stream, consumer: 'c1' });
    await consumer.drain();
    await producer.flush();
    await consumer.drain();
    // Every accepted record is in Postgres; the dropped ones are exactly the counted ones.
    expect(await count('e')).toBe(accepted);
    expect(producer.stats()).toMatchObject({ appended: 150, buffered: 0 });
  });

  it('joins delayed labels and refuses malformed ones', async () => {
    const rs = records('f', 10, Date.UTC(2027, 0, 1));
    await insertPredictions(services.pg, rs);
    await recordLabels(services.pg, [{ requestId: 'f-3', label: 1, labelledAt: rs[3].at + 86_400_000 }]);
    const rows = await readLogged(services.pg, rs[0].at, rs[9].at + 1);
    expect(rows).toHaveLength(10);
    expect(rows.filter((r) => r.label !== null).map((r) => [r.requestId, r.label])).toEqual([['f-3', 1]]);
    await expect(
      recordLabels(services.pg, [{ requestId: 'f-1', label: 2 as 1, labelledAt: 0 }]),
    ).rejects.toThrow(/label must be 0 or 1/);
  });
});
