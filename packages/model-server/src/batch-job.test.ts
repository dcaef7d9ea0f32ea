/**
 * Batch inference (Q17) against real Postgres + Redis: a BullMQ job scores a small table in chunks with
 * the same model code as the server, resumes after a partial run, and marks a bad row instead of failing.
 */
import { acquire, type ServicesWithExtras } from '@mlops-lab/services';
import type { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  batchScoringWorker,
  type ChunkJob,
  enqueueBatchScoring,
  scoreChunk,
  scoringQueue,
  scoringTableSql,
} from './batch-job.ts';
import { paymentBodies, trainPaymentsModel } from './payments-model.ts';

let services: ServicesWithExtras;
let queue: Queue<ChunkJob>;
let worker: Worker<ChunkJob, number>;
const model = trainPaymentsModel({ size: 400, epochs: 30 });
const bodies = paymentBodies(11, 95);

beforeAll(async () => {
  services = await acquire({
    needs: ['postgres', 'redis'],
    namespace: 'model-server',
    ephemeral: true,
    log: () => {},
  });
  await services.pg.query(scoringTableSql('to_score'));
  await services.pg.query(
    'INSERT INTO to_score (id, input) SELECT i, x FROM unnest($1::bigint[], $2::jsonb[]) AS u(i, x)',
    [
      [...bodies.map((_, i) => i + 1), 96],
      [...bodies.map((b) => JSON.stringify(b)), JSON.stringify({ ...bodies[0], amount: 'bad' })],
    ],
  );
  const prefix = `${services.keyPrefix}bull`;
  queue = scoringQueue(services.newRedis({ maxRetriesPerRequest: null }), prefix);
  worker = batchScoringWorker(services.newRedis({ maxRetriesPerRequest: null }), prefix, services.pg, model);
});
afterAll(async () => {
  await worker?.close();
  await queue?.obliterate({ force: true }).catch(() => {});
  await queue?.close();
  await services?.close();
});

describe('batch scoring job', () => {
  it('scores the table in chunks, resumably, with the same scores as the server path', async () => {
    // A partial earlier run: the first chunk was already scored directly.
    expect(await scoreChunk(services.pg, model, { table: 'to_score', fromId: 0, toId: 19 })).toBe(19);
    const jobs = await enqueueBatchScoring(queue, services.pg, { table: 'to_score', chunkSize: 20 });
    expect(jobs[0].fromId).toBe(20); // the finished chunk is not planned again
    await waitFor(async () => {
      const { rows } = await services.pg.query(
        'SELECT count(*)::int AS n FROM to_score WHERE score IS NULL AND error IS NULL',
      );
      return rows[0].n === 0;
    });
    const { rows } = await services.pg.query('SELECT id, input, score, error FROM to_score ORDER BY id');
    expect(rows.filter((r) => r.score !== null)).toHaveLength(95);
    expect(rows.find((r) => Number(r.id) === 96).error).toMatch(/amount/);
    const direct = await model.predictBatch(rows.slice(0, 95).map((r) => model.preprocess(r.input)));
    for (const [i, r] of rows.slice(0, 95).entries()) expect(r.score).toBeCloseTo(direct[i], 5);
    expect(await enqueueBatchScoring(queue, services.pg, { table: 'to_score', chunkSize: 20 })).toEqual([]);
  });
});

async function waitFor(cond: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting for the batch job');
    await new Promise((r) => setTimeout(r, 50));
  }
}
