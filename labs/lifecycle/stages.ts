/**
 * The work of each lifecycle stage (Q1, Q3, Q35), with the project's own packages and none of the
 * narration: lab.ts runs them in the order its header lists, prints what crossed each handoff and
 * judges the run. A stage takes what the one before handed over and returns what it hands on; an
 * injected fault arrives as an option of the stage it belongs to (breaks.ts says which). Training and
 * retraining are the retrain pipeline's runSlot in the context retrainPipeline builds.
 */
import {
  createSnapshot,
  DatasetError,
  describeMismatch,
  readSnapshot,
  trackTable,
  verifySnapshot,
} from '@mlops-lab/datasets';
import { rewriteHistoryInPlace } from '@mlops-lab/datasets/faults';
import { buildProfile } from '@mlops-lab/drift';
import { decide, type ModelServer } from '@mlops-lab/model-server';
import {
  buildReference,
  monitorWindow,
  PredictionLog,
  readLogged,
  recordLabels,
  tumblingWindows,
} from '@mlops-lab/monitoring';
import {
  aliasHistory,
  getAlias,
  getVersion,
  loadArtifact,
  putArtifact,
  setRouting,
} from '@mlops-lab/registry';
import type { Services } from '@mlops-lab/services';
import {
  dataGate,
  type FeedColumns,
  type FeedRow,
  feedPayment,
  findingLine,
  modelFiles,
  pipelineConfig,
  pullWindow,
  RETRAIN_SCHEMA,
  readModelArtifact,
  SIM_START,
  scoreModel,
  seedFeed,
  snapshotHash,
  trainModel,
  WEEK_MS,
} from '@mlops-lab/training';
import { bodyOf, sendTraffic, startServer } from './serve.ts';

export const MODEL = 'payments-lifecycle';
export const WEEKS = 5;
export const SHIFT_WEEK = 3;
/** Slot k holds out week k - 1 and trains on the two weeks before it (pipelineConfig's trainWeeks). */
export const FIRST_SLOT = 3;
export const RETRAIN_SLOT = 5;
export const weekStart = (w: number) => SIM_START + w * WEEK_MS;
/** A hash as printed: its first 12 characters. */
export const short = (h: string) => h.slice(0, 12);
/** Labels of the served week land two days after each payment; the week is monitored once they are in. */
const LABEL_DELAY = 2 * 86_400_000;
/** The week served through the routing table and monitored: SHIFT_WEEK, one tumbling window. */
export const SERVED_WINDOW = tumblingWindows(weekStart(SHIFT_WEEK), WEEK_MS, 1)[0];

/** The feed seeded, tracked and snapshotted; `rewriteRows` rewrites that many rows in place after. */
export async function seedData(
  services: Services,
  options: { seed: number; perWeek: number; emptyWeeks: number[]; rewriteRows: number },
) {
  const feed = await seedFeed(services.pg, {
    seed: options.seed,
    simStart: SIM_START,
    weeks: WEEKS,
    paymentsPerWeek: options.perWeek,
    shiftWeek: SHIFT_WEEK,
    emptyWeeks: options.emptyWeeks,
  });
  await trackTable(services.pg, { table: 'retrain_feed', key: 'event_id' });
  const snap = await createSnapshot(services.pg, { table: 'retrain_feed' });
  const rewritten =
    options.rewriteRows > 0
      ? await rewriteHistoryInPlace(services.pg, 'retrain_feed', snap.id, options.rewriteRows)
      : [];
  return { feed, snap, rewritten };
}

/**
 * A snapshot row (the feed's columns) as the data gate reads a payment: the pipeline's own mapping,
 * with the label as stored, so the gate sees a label that is not 0/1 rather than a coerced one.
 */
const gateRow = (r: Record<string, unknown>) => ({
  ...feedPayment(r as unknown as FeedColumns),
  label: r.label,
});

/** The snapshot recomputed against its id, then the data gate on the newest training week. */
export async function validateSnapshot(
  services: Services,
  snapshotId: string,
): Promise<{ ok: boolean; detail: string }> {
  const verified = await verifySnapshot(services.pg, snapshotId);
  if (!verified.ok) return { ok: false, detail: describeMismatch(verified) };
  let rows: Record<string, unknown>[];
  try {
    rows = (await readSnapshot(services.pg, snapshotId, { orderBy: ['ts', 'event_id'] })).map(gateRow);
  } catch (error) {
    if (error instanceof DatasetError) return { ok: false, detail: error.message };
    throw error;
  }
  const inWeeks = (a: number, b: number) =>
    rows.filter((r) => (r.timestamp as number) >= weekStart(a) && (r.timestamp as number) < weekStart(b));
  const gate = dataGate(inWeeks(FIRST_SLOT - 1, FIRST_SLOT), {
    profile: buildProfile(inWeeks(0, FIRST_SLOT - 1), RETRAIN_SCHEMA),
    label: 'label',
    idColumns: ['eventId', 'customerId', 'timestamp'],
  });
  // Drift is recorded, not blocking (the retrain pipeline's validate step makes the same split).
  const blocking = gate.findings.filter((f) => !f.passed && f.expectation !== 'distribution');
  return {
    ok: blocking.length === 0,
    detail:
      blocking.length === 0
        ? `root recomputed, ${gate.findings.length} data expectations on week ${FIRST_SLOT - 1} against weeks 0-${FIRST_SLOT - 2}`
        : blocking.map(findingLine).join('; '),
  };
}

/** The rows each later stage reads, joined point-in-time to the customer aggregates. */
export async function pullFeatures(services: Services) {
  const pull = (from: number, to: number) =>
    pullWindow(services.pg, SIM_START, weekStart(from), weekStart(to));
  const train = await pull(0, FIRST_SLOT - 1);
  const holdout = await pull(FIRST_SLOT - 1, FIRST_SLOT);
  const served = await pull(SHIFT_WEEK, SHIFT_WEEK + 1);
  const next = await pull(SHIFT_WEEK + 1, SHIFT_WEEK + 2);
  return {
    train,
    holdout,
    served,
    next,
    withActivity: train.filter((r) => r.activity.txn_count_7d !== null).length,
    trainHash: snapshotHash(train),
    holdoutHash: snapshotHash(holdout),
  };
}
export type Features = Awaited<ReturnType<typeof pullFeatures>>;

/**
 * The retrain pipeline's configuration for this run, and the context its slots run in (the first
 * one never games its holdout: `overlapHoldout` is the retraining fault, for the second run only).
 */
export function retrainPipeline(
  services: Services,
  options: { seed: number; perWeek: number; artifactsRoot: string; overlapHoldout: boolean },
) {
  const config = pipelineConfig({
    model: MODEL,
    services,
    firstSlot: FIRST_SLOT,
    lastSlot: RETRAIN_SLOT,
    paymentsPerWeek: options.perWeek,
    seed: options.seed,
    weekRealMs: 1000,
    artifactsRoot: options.artifactsRoot,
    overlapHoldout: options.overlapHoldout,
  });
  const ctx = {
    pool: services.pg,
    config: { ...config, overlapHoldout: false },
    worker: 'lab',
    attempt: 1,
  };
  return { config, ctx };
}

/** The champion alias and the version the training run registered. */
export async function registryState(services: Services, version: number) {
  const champion = await getAlias(services.pg, MODEL, 'champion');
  const v = await getVersion(services.pg, MODEL, version);
  return { champion, v };
}

/** The prediction log, then the model server on the registry's table: resolves once it is warm. */
export async function startServing(services: Services, artifactsRoot: string, samples: readonly FeedRow[]) {
  const log = await PredictionLog.open(services, { stream: services.key('predictions') });
  const t0 = performance.now();
  try {
    const server = await startServer(
      services,
      MODEL,
      artifactsRoot,
      samples.map((r) => bodyOf(r)),
      log,
    );
    return { log, server, readyMs: performance.now() - t0 };
  } catch (error) {
    await log.close();
    throw error;
  }
}

/** Stores champion: 100 as the routing table and sends the week's rows (`amountScale`: the unit fault). */
export async function routeWeek(
  services: Services,
  server: ModelServer,
  rows: readonly FeedRow[],
  amountScale: number,
) {
  const change = await setRouting(
    services,
    MODEL,
    { champion: 100 },
    { reason: 'all traffic to the champion', by: 'lifecycle' },
  );
  const served = await sendTraffic(server.url, rows, amountScale);
  return { change, served, routes: server.routes };
}

/**
 * The served week as the log holds it once persisted, its labels landed, every monitor run against a
 * reference of the trained version scored on its holdout.
 */
export async function monitorServedWeek(
  services: Services,
  log: PredictionLog,
  features: Features,
  version: number,
  artifactsRoot: string,
) {
  const window = SERVED_WINDOW;
  await log.persisted();
  await recordLabels(
    services.pg,
    features.served.map((r) => ({
      requestId: r.eventId,
      label: r.label,
      labelledAt: r.timestamp + LABEL_DELAY,
    })),
  );
  const artifact = readModelArtifact(
    await loadArtifact((await getVersion(services.pg, MODEL, version)).hash, { root: artifactsRoot }),
  );
  const scores = Array.from(scoreModel(artifact, features.holdout));
  const reference = buildReference(
    features.holdout.map((r, k) => ({
      features: bodyOf(r),
      score: scores[k],
      decision: decide(scores[k]).decision,
      label: r.label,
    })),
    RETRAIN_SCHEMA,
  );
  const rows = await readLogged(services.pg, window.start, window.end);
  const report = monitorWindow(reference, window, rows, window.end + 2 * LABEL_DELAY, { p99Ms: 5000 });
  return { report, reference, logged: rows.length };
}

/**
 * Waits (up to 15 s) until the running server answers with the version champion names, then sends
 * `rows` through it: which version answered is the proof that the promotion reached serving.
 */
export async function followPromotion(services: Services, server: ModelServer, rows: readonly FeedRow[]) {
  const champion = await getAlias(services.pg, MODEL, 'champion');
  const deadline = Date.now() + 15_000;
  while (String(champion) !== server.routes[0]?.version && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 50));
  const served = await sendTraffic(server.url, rows);
  const moves = await aliasHistory(services.pg, MODEL, 'champion');
  return { champion, served, moves };
}

/** Q3: the same training code on the same rows, its artifact's hash (the same bytes, or not). */
export async function retrainSameRows(
  features: Features,
  epochs: number,
  artifactsRoot: string,
): Promise<string> {
  return (await putArtifact(modelFiles(trainModel(features.train, epochs)), { root: artifactsRoot })).hash;
}
