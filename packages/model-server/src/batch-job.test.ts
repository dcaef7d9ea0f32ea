/**
 * Batch inference (Q17) against real Postgres + Redis: a BullMQ job scores a small table in chunks with
 * the same model code as the server, resumes after a partial run, marks a bad row instead of failing,
 * re-queues a finished chunk that gained rows, leaves a queued chunk alone, and writes a row once even
 * when two workers run the same chunk. Faults (a killed worker, exhausted retries): batch-job.faults.test.ts.
 */
import { testServices, until } from '@mlops-lab/services/vitest';
import type { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  batchScoringWorker,
  type ChunkJob,
  enqueueBatchScoring,
  scoreChunk,
  scoringQueue,
} from './batch-job.ts';
import { auditWrites, fillScoringTable, unscored } from './fixtures/scoring-table.ts';
import type { ServingModel } from './model.ts';
import { paymentBodies, trainPaymentsModel } from './payments-model.ts';

const services = testServices({ needs: ['postgres', 'redis'], namespace: 'model-server' });
let queue: Queue<ChunkJob>;
let worker: Worker<ChunkJob, number>;
const model = trainPaymentsModel({ size: 400, epochs: 30 });
const bodies = paymentBodies(11, 95);
const prefix = () => `${services.keyPrefix}bull`;

beforeAll(async () => {
  await fillScoringTable(services.pg, 'to_score', [...bodies, { ...bodies[0], amount: 'bad' }]);
  queue = scoringQueue(services.newRedis({ maxRetriesPerRequest: null }), prefix());
  worker = batchScoringWorker(
    services.newRedis({ maxRetriesPerRequest: null }),
    prefix(),
    services.pg,
    model,
  );
});
afterAll(async () => {
  await worker?.close();
  await queue?.obliterate({ force: true }).catch(() => {});
  await queue?.close();
});

describe('batch scoring job', () => {
  it('scores the table in chunks, resumably, with the same scores as the server path', async () => {
    // A partial earlier run: the first chunk was already scored directly.
    expect(await scoreChunk(services.pg, model, { table: 'to_score', fromId: 0, toId: 19 })).toBe(19);
    const run = await enqueueBatchScoring(queue, services.pg, { table: 'to_score', chunkSize: 20 });
    expect(run.chunks[0].fromId).toBe(20); // the finished chunk is not planned again
    expect(run).toMatchObject({ added: 4, alreadyQueued: 0 });
    await until(async () => (await unscored(services.pg, 'to_score')) === 0, 'the table to be scored');
    const { rows } = await services.pg.query('SELECT id, input, score, error FROM to_score ORDER BY id');
    expect(rows.filter((r) => r.score !== null)).toHaveLength(95);
    expect(rows.find((r) => Number(r.id) === 96).error).toMatch(/amount/);
    const direct = await model.predictBatch(rows.slice(0, 95).map((r) => model.preprocess(r.input)));
    for (const [i, r] of rows.slice(0, 95).entries()) expect(r.score).toBeCloseTo(direct[i], 5);
    const again = await enqueueBatchScoring(queue, services.pg, { table: 'to_score', chunkSize: 20 });
    expect(again).toEqual({ chunks: [], added: 0, alreadyQueued: 0 });
  });

  it('re-runs a completed chunk that gained rows (its job id is taken by the finished job)', async () => {
    await until(async () => (await unscored(services.pg, 'to_score')) === 0, 'the first test to finish');
    await services.pg.query('INSERT INTO to_score (id, input) VALUES (97, $1), (98, $2)', [
      JSON.stringify(bodies[1]),
      JSON.stringify(bodies[2]),
    ]);
    const run = await enqueueBatchScoring(queue, services.pg, { table: 'to_score', chunkSize: 20 });
    expect(run.chunks).toEqual([{ table: 'to_score', fromId: 80, toId: 99 }]);
    await until(async () => (await unscored(services.pg, 'to_score')) === 0, 'rows 97 and 98 to be scored');
    expect(run).toMatchObject({ added: 1, alreadyQueued: 0 });
  });

  it('leaves a chunk that is already queued alone, and says so', async () => {
    await fillScoringTable(services.pg, 'queued_twice', bodies.slice(0, 30), 0); // ids 0..29: 3 chunks
    const idle = scoringQueue(services.newRedis({ maxRetriesPerRequest: null }), prefix(), 'no-worker');
    try {
      const plan = { table: 'queued_twice', chunkSize: 10 };
      expect(await enqueueBatchScoring(idle, services.pg, plan)).toMatchObject({
        added: 3,
        alreadyQueued: 0,
      });
      expect(await enqueueBatchScoring(idle, services.pg, plan)).toMatchObject({
        added: 0,
        alreadyQueued: 3,
      });
      expect(await idle.getJobCounts('waiting')).toMatchObject({ waiting: 3 });
    } finally {
      await idle.obliterate({ force: true });
      await idle.close();
    }
  });

  it('writes each row once when two workers run the same chunk (a lock that expired)', async () => {
    await fillScoringTable(services.pg, 'overlap', bodies.slice(0, 10), 0);
    const writes = await auditWrites(services.pg, 'overlap');
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let entered = 0;
    const slow: ServingModel = {
      ...model,
      async predictBatch(rows) {
        entered++;
        await gate; // both runs have read the unscored rows before either writes
        return model.predictBatch(rows);
      },
    };
    const chunk = { table: 'overlap', fromId: 0, toId: 9 };
    const runs = [scoreChunk(services.pg, slow, chunk), scoreChunk(services.pg, slow, chunk)];
    await until(async () => entered === 2, 'both runs to reach the model');
    release();
    const written = await Promise.all(runs);
    expect(written.sort()).toEqual([0, 10]);
    expect(await writes()).toEqual({ writes: 10, rows: 10 });
  });
});
