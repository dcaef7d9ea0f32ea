/**
 * Simulated serving traffic and the drift monitor, joined by Redis Streams (Q26, Q27).
 *
 * The producer plays the model server: it scores each window's requests and appends them to the
 * `traffic` stream, then a `window-end` marker. Labels arrive later (fraud is confirmed after a
 * chargeback, not at request time): after serving window w it appends the labels of window
 * w - labelDelay to the `labels` stream. The monitor is a consumer group on both streams: on a
 * window-end it tests the window against the stored profile and writes results to Postgres; on a
 * label batch it joins labels to the logged predictions in Postgres and scores that window.
 */
import { generatePayments, mixSeed, type PaymentEvent } from '@mlops-lab/datagen';
import { compare, type DriftProfile, loadProfile } from '@mlops-lab/drift';
import type { Services } from '@mlops-lab/services';
import { accuracy, rocAuc } from '@mlops-lab/training';
import { DECISION_THRESHOLD, type Model, score } from './model.ts';
import type { Scenario } from './scenario.ts';

export const monitorMigrations = [
  {
    id: '001_monitor_tables',
    sql: `
      CREATE TABLE predictions (
        event_id text PRIMARY KEY, window_index int NOT NULL, score float8 NOT NULL, label smallint);
      CREATE INDEX predictions_window ON predictions (window_index);
      CREATE TABLE drift_results (
        window_index int NOT NULL, feature text NOT NULL, test text NOT NULL, statistic float8,
        p_value float8, p_adjusted float8, effect_name text, effect float8, drifted boolean NOT NULL,
        note text, PRIMARY KEY (window_index, feature));
      CREATE TABLE window_performance (
        window_index int PRIMARY KEY, n_labeled int NOT NULL, accuracy float8 NOT NULL, auc float8,
        labels_arrived_after int NOT NULL);`,
  },
];

const GROUP = 'monitor';
const BATCH = 500;

interface LabelBatch {
  w: number;
  servedThrough: number;
  labels: [string, number][];
}

interface Encoded {
  e: PaymentEvent;
  s: number;
}

/** Generates, scores and streams every live window; publishes labels with the scenario's delay. */
async function produce(services: Services, scenario: Scenario, model: Model, seed: number) {
  const redis = services.redis;
  const pendingLabels = new Map<number, [string, number][]>();
  const publishLabels = async (windowIndex: number, servedThrough: number) => {
    const labels = pendingLabels.get(windowIndex);
    if (!labels) return;
    pendingLabels.delete(windowIndex);
    const payload = JSON.stringify({ w: windowIndex, servedThrough, labels });
    await redis.xadd(services.key('labels'), '*', 'batch', payload);
  };
  for (const window of scenario.windows) {
    const events = generatePayments({
      seed: mixSeed(seed, 'window', window.index),
      size: scenario.windowSize,
      start: window.start,
      durationMs: 7 * 24 * 3600 * 1000,
      drift: window.drift,
    });
    const scores = score(model, events);
    for (let i = 0; i < events.length; i += BATCH) {
      const pipeline = redis.pipeline();
      for (let j = i; j < Math.min(i + BATCH, events.length); j++) {
        const encoded: Encoded = { e: events[j], s: scores[j] };
        pipeline.xadd(services.key('traffic'), '*', 'event', JSON.stringify(encoded));
      }
      await pipeline.exec();
    }
    await redis.xadd(services.key('traffic'), '*', 'window-end', String(window.index));
    pendingLabels.set(
      window.index,
      events.map((e) => [e.eventId, e.label]),
    );
    await publishLabels(window.index - scenario.labelDelay, window.index);
  }
  // The stream ends; labels still owed arrive after it, as they would in production.
  const last = scenario.windows.at(-1)?.index ?? 0;
  for (const w of [...pendingLabels.keys()]) await publishLabels(w, last);
  await redis.xadd(services.key('traffic'), '*', 'end', '1');
}

export interface WindowReport {
  index: number;
  compareMs: number;
  result: ReturnType<typeof compare>;
}

/** Consumes both streams until the producer's `end` marker and every label batch are processed. */
async function consume(services: Services, scenario: Scenario, profile: DriftProfile) {
  const reader = services.redis.duplicate();
  const traffic = services.key('traffic');
  const labels = services.key('labels');
  const reports: WindowReport[] = [];
  let buffer: PaymentEvent[] = [];
  let bufferScores: number[] = [];
  let ended = false;
  let labelBatches = 0;
  const closed = new Set<number>();
  let waiting: LabelBatch[] = [];
  try {
    while (!ended || labelBatches < scenario.windows.length) {
      const reply = (await reader.xreadgroup(
        'GROUP',
        GROUP,
        'monitor-1',
        'COUNT',
        2000,
        'BLOCK',
        2000,
        'STREAMS',
        traffic,
        labels,
        '>',
        '>',
      )) as [string, [string, string[]][]][] | null;
      if (!reply) continue;
      for (const [stream, entries] of reply) {
        for (const [id, fields] of entries) {
          const [kind, value] = fields;
          if (kind === 'event') {
            const { e, s } = JSON.parse(value) as Encoded;
            buffer.push(e);
            bufferScores.push(s);
          } else if (kind === 'window-end') {
            const index = Number(value);
            reports.push(await closeWindow(services, index, buffer, bufferScores, profile));
            buffer = [];
            bufferScores = [];
            closed.add(index);
            const ready = waiting.filter((b) => b.w === index);
            waiting = waiting.filter((b) => b.w !== index);
            for (const batch of ready) await joinLabels(services, batch);
            labelBatches += ready.length;
          } else if (kind === 'batch') {
            // The two streams are read independently, so labels can overtake the predictions they
            // belong to when the monitor lags; hold them until that window's predictions are logged.
            const batch = JSON.parse(value) as LabelBatch;
            if (closed.has(batch.w)) {
              await joinLabels(services, batch);
              labelBatches++;
            } else {
              waiting.push(batch);
            }
          } else if (kind === 'end') {
            ended = true;
          }
          await reader.xack(stream, GROUP, id);
        }
      }
    }
  } finally {
    reader.disconnect();
  }
  return reports;
}

async function closeWindow(
  services: Services,
  index: number,
  events: PaymentEvent[],
  scores: number[],
  profile: DriftProfile,
): Promise<WindowReport> {
  const started = performance.now();
  const result = compare(profile, events);
  const compareMs = performance.now() - started;
  await services.pg.query(
    `INSERT INTO predictions (event_id, window_index, score)
     SELECT id, $2, s FROM unnest($1::text[], $3::float8[]) AS t(id, s)`,
    [events.map((e) => e.eventId), index, scores],
  );
  // One statement per window, a column array per field, like the predictions insert above.
  const column = <K extends keyof (typeof result.features)[number]>(k: K) => result.features.map((f) => f[k]);
  await services.pg.query(
    `INSERT INTO drift_results
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[],
                              $7::text[], $8::float8[], $9::boolean[], $10::text[])`,
    [
      index,
      column('feature'),
      column('test'),
      column('statistic'),
      column('pValue'),
      column('pAdjusted'),
      column('effectName'),
      column('effect'),
      column('drifted'),
      column('note'),
    ],
  );
  return { index, compareMs, result };
}

async function joinLabels(services: Services, batch: LabelBatch) {
  await services.pg.query(
    `UPDATE predictions p SET label = l.label
     FROM unnest($1::text[], $2::smallint[]) AS l(id, label) WHERE p.event_id = l.id`,
    [batch.labels.map((l) => l[0]), batch.labels.map((l) => l[1])],
  );
  const { rows } = await services.pg.query<{ score: number; label: number }>(
    'SELECT score, label FROM predictions WHERE window_index = $1 AND label IS NOT NULL',
    [batch.w],
  );
  const scores = rows.map((r) => r.score);
  const labels = rows.map((r) => r.label);
  await services.pg.query('INSERT INTO window_performance VALUES ($1, $2, $3, $4, $5)', [
    batch.w,
    rows.length,
    accuracy(scores, labels, DECISION_THRESHOLD),
    rocAuc(scores, labels),
    batch.servedThrough,
  ]);
}

/** Runs producer and monitor concurrently, as two services would. */
export async function streamLiveTraffic(services: Services, scenario: Scenario, model: Model, seed: number) {
  for (const stream of ['traffic', 'labels']) {
    await services.redis.xgroup('CREATE', services.key(stream), GROUP, '$', 'MKSTREAM');
  }
  const profile = await loadProfile(services.pg, 'payments-reference');
  if (!profile) throw new Error('reference profile missing from Postgres: was step 1 skipped?');
  const [, reports] = await Promise.all([
    produce(services, scenario, model, seed),
    consume(services, scenario, profile),
  ]);
  return reports;
}
