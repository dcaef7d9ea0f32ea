/**
 * The batch job under faults, against real Postgres + Redis: a worker process killed with SIGKILL
 * while it holds a chunk (BullMQ's stalled-job check hands the chunk to another worker once the dead
 * worker's lock expires), and a chunk that exhausts its retries on a broken model and is resumed by
 * re-enqueueing after the fix. Counts rows lost and rows written twice (both goal 0) with a Postgres
 * write audit; no assertion on time.
 */
import { randomBytes } from 'node:crypto';
import { testChildren, testServices, until } from '@mlops-lab/services/vitest';
import type { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchScoringWorker, type ChunkJob, enqueueBatchScoring, scoringQueue } from './batch-job.ts';
import { auditWrites, fillScoringTable, unscored } from './fixtures/scoring-table.ts';
import type { ServingModel } from './model.ts';
import { paymentBodies, trainPaymentsModel } from './payments-model.ts';

// A shared namespace (fixed schema and key prefix) so the child process can join it; dropped after the tests.
const namespace = `batch_faults_${randomBytes(4).toString('hex')}`;
const services = testServices({ needs: ['postgres', 'redis'], namespace, shared: true });
let queue: Queue<ChunkJob>;
const workers: Worker<ChunkJob, number>[] = [];
const model = trainPaymentsModel({ size: 400, epochs: 30 });
const bodies = paymentBodies(13, 40);
const redis = () => services.newRedis({ maxRetriesPerRequest: null });

beforeAll(() => {
  queue = scoringQueue(redis(), services.key('bull'));
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.close()));
  await queue?.obliterate({ force: true }).catch(() => {});
  await queue?.close();
});

const startChild = testChildren(services, namespace);

/** Starts the worker child (src/fixtures/batch-worker.ts) and resolves once it takes jobs. */
async function workerProcess(env: Record<string, string>) {
  const child = startChild(new URL('./fixtures/batch-worker.ts', import.meta.url), env);
  await child.printed('ready', 'the worker process to start');
  return child;
}

describe('batch scoring under faults', () => {
  it('a worker killed with SIGKILL mid-chunk loses no row: another worker takes the stalled chunk', async () => {
    await fillScoringTable(services.pg, 'killed', bodies, 0); // ids 0..39: 4 chunks of 10
    const writes = await auditWrites(services.pg, 'killed');
    // Lock of 2 s: a dead worker's chunk is free again soon; the child hangs in its 2nd model call.
    // The stalled check is queue-wide, at most once per `stalledInterval` of the worker that last ran
    // it: every worker of the queue gets the same interval (the child's 30 s default would hold it).
    const child = await workerProcess({ HANG_AT: '2', LOCK_MS: '2000', STALLED_MS: '300' });
    const run = await enqueueBatchScoring(queue, services.pg, { table: 'killed', chunkSize: 10 });
    expect(run.added).toBe(4);
    await child.printed('hanging', 'the child to hang inside a chunk');
    await child.kill();
    expect(await unscored(services.pg, 'killed')).toBe(30); // one chunk written, one held by the dead worker

    const stalled: string[] = [];
    const rescuer = batchScoringWorker(redis(), services.key('bull'), services.pg, model, {
      stalledInterval: 300, // checks often for jobs whose worker stopped renewing the lock
    });
    workers.push(rescuer);
    rescuer.on('stalled', (jobId) => stalled.push(jobId));
    await until(async () => (await unscored(services.pg, 'killed')) === 0, 'all rows scored', 60_000);
    await until(
      async () => (await queue.getJobCounts('completed')).completed === 4,
      'all 4 chunks completed',
    );

    expect(stalled).toEqual(['killed-10-19']); // the chunk the dead worker held, recovered
    expect(await writes()).toEqual({ writes: 40, rows: 40 }); // lost 0, written twice 0
    expect(await queue.getJobCounts('failed', 'active', 'waiting')).toMatchObject({
      failed: 0,
      active: 0,
      waiting: 0,
    });
  });

  it('a chunk that exhausted its retries is resumed by re-enqueueing after the fix: each row scored once', async () => {
    await fillScoringTable(services.pg, 'retried', bodies, 0); // one chunk of 40
    const writes = await auditWrites(services.pg, 'retried');
    let broken = true;
    let throws = 0;
    const scoredRows: number[] = [];
    const flaky: ServingModel = {
      ...model,
      async predictBatch(rows) {
        if (broken) {
          throws++;
          throw new Error('model backend unavailable');
        }
        scoredRows.push(rows.length);
        return model.predictBatch(rows);
      },
    };
    const worker = batchScoringWorker(redis(), services.key('bull'), services.pg, flaky, { name: 'retried' });
    workers.push(worker);
    const retriedQueue = scoringQueue(redis(), services.key('bull'), 'retried');
    try {
      const plan = { table: 'retried', chunkSize: 40 };
      expect((await enqueueBatchScoring(retriedQueue, services.pg, plan)).added).toBe(1);
      await until(async () => (await retriedQueue.getJobCounts('failed')).failed === 1, 'the chunk to fail');
      expect(throws).toBe(3); // all three attempts used up
      expect(await unscored(services.pg, 'retried')).toBe(40);

      broken = false; // the fix
      const resumed = await enqueueBatchScoring(retriedQueue, services.pg, plan);
      await until(
        async () => (await unscored(services.pg, 'retried')) === 0,
        '40 rows scored after the re-run',
      );
      expect(resumed).toMatchObject({ added: 1, alreadyQueued: 0 });
      expect(scoredRows).toEqual([40]);
      expect(await writes()).toEqual({ writes: 40, rows: 40 });
      expect((await enqueueBatchScoring(retriedQueue, services.pg, plan)).chunks).toEqual([]);
    } finally {
      await retriedQueue.obliterate({ force: true }).catch(() => {});
      await retriedQueue.close();
    }
  });
});
