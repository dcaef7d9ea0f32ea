/**
 * Reading the server's own histograms (Q16: where time goes): per stage the count, mean and the
 * bucket bounds of p50 / p99, from `model_server_stage_duration_seconds` and friends
 * (packages/model-server/src/metrics.ts). Bucket bounds, not exact quantiles: what Prometheus sees.
 */

import { histogramQuantile } from '@mlops-lab/http';
import { fmt, type Narrator } from '@mlops-lab/labkit';
import type { ServerMetrics } from '@mlops-lab/model-server';
import type { BatchResult } from './batch.ts';
import type { LoadResult } from './traffic.ts';

/** An unlabelled-type view of the server's histograms (prom-client is the package's dependency). */
type Histogram = ServerMetrics['batchSize'];

/** Times in milliseconds (the histograms hold seconds). */
export interface StageStats {
  stage: string;
  count: number;
  meanMs: number;
  p50Ms: number;
  p99Ms: number;
}

type Values = Awaited<ReturnType<Histogram['get']>>['values'];

function pick(values: Values, suffix: string, labels: Record<string, string>): number {
  return (
    values.find(
      (v) => v.metricName?.endsWith(suffix) && Object.entries(labels).every(([k, x]) => v.labels[k] === x),
    )?.value ?? 0
  );
}

async function summary(h: Histogram, labels: Record<string, string>): Promise<StageStats> {
  const { values } = await h.get();
  const count = pick(values, '_count', labels);
  return {
    stage: Object.values(labels)[0] ?? '',
    count,
    meanMs: count ? (pick(values, '_sum', labels) / count) * 1000 : Number.NaN,
    p50Ms: (await histogramQuantile(h, 0.5, labels)) * 1000,
    p99Ms: (await histogramQuantile(h, 0.99, labels)) * 1000,
  };
}

export interface ServerSnapshot {
  stages: StageStats[];
  handler: StageStats;
  meanBatch: number;
}

export async function snapshot(metrics: ServerMetrics): Promise<ServerSnapshot> {
  const stages = [];
  for (const stage of ['preprocess', 'queue+inference', 'inference', 'postprocess']) {
    stages.push(await summary(metrics.stage as Histogram, { stage }));
  }
  const handler = await summary(metrics.latency as Histogram, { path: 'model' });
  const { values } = await (metrics.batchSize as Histogram).get();
  const meanBatch = pick(values, '_sum', {}) / pick(values, '_count', {});
  return { stages, handler: { ...handler, stage: 'handler, in the server' }, meanBatch };
}

const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;

/**
 * The load run as a table of stages, and the server's CPU per request split into the model's share
 * (preprocess + inference per row + postprocess, all synchronous CPU work) and everything else.
 * Returns the server CPU per request and the model's share of it, in ms.
 */
export function printLoad(
  out: Narrator,
  before: ServerSnapshot,
  stages: ServerSnapshot,
  load: LoadResult,
): { cpuPerReqMs: number; modelPerReqMs: number } {
  const served = load.ok;
  const cpuPerReqMs = load.serverCpuMs / Math.max(served, 1);
  out.table(
    ['stage (server histograms)', 'observations', 'mean', 'p50 <=', 'p99 <=', 'CPU per request'],
    [...stages.stages, stages.handler].map((st, i) => {
      const prev = [...before.stages, before.handler][i];
      const perReq =
        st.stage === 'inference'
          ? st.meanMs / stages.meanBatch
          : st.stage === 'queue+inference'
            ? null
            : st.meanMs;
      return [
        st.stage === 'inference' ? `inference (per batch, mean ${fmt.num(stages.meanBatch)} rows)` : st.stage,
        st.count - prev.count,
        us(st.meanMs),
        fmt.ms(st.p50Ms),
        fmt.ms(st.p99Ms),
        perReq === null ? '(waiting)' : st.stage.startsWith('handler') ? '' : `~${us(perReq)}`,
      ];
    }),
  );
  const inModelMs =
    stages.stages[0].meanMs + stages.stages[3].meanMs + stages.stages[2].meanMs / stages.meanBatch || 0;
  out.say(
    `${served} requests in ${fmt.ms(load.wallMs)}: ${fmt.num(served / (load.wallMs / 1000))} req/s, client ` +
      `p50 ${fmt.ms(load.p50)} / p99 ${fmt.ms(load.p99)}. Server CPU ${fmt.ms(load.serverCpuMs)} = ${us(cpuPerReqMs)} per ` +
      `request, of which pre + inference share + post is ~${us(inModelMs)} (${fmt.pct(inModelMs / cpuPerReqMs)}); ` +
      `the rest is HTTP, JSON, schema, batching, metrics. The load generator used ${fmt.ms(load.cpuMs)} CPU in its own process.`,
  );
  return { cpuPerReqMs, modelPerReqMs: inModelMs };
}

/** Online and batch, same model, same kind of rows: throughput, CPU per row, the model's share, latency. */
export function printSideBySide(
  out: Narrator,
  load: LoadResult,
  onlineModelMs: number,
  batch: BatchResult,
): void {
  const n = batch.rows.length;
  const row = (
    name: string,
    rows: number,
    wallMs: number,
    cpuMs: number,
    modelMs: number,
    latency: string,
  ) => [
    name,
    rows,
    fmt.ms(wallMs),
    fmt.num(rows / (wallMs / 1000)),
    fmt.ms(cpuMs),
    fmt.num(rows / (cpuMs / 1000)),
    us(cpuMs / rows),
    `~${us(modelMs)} (${fmt.pct(modelMs / (cpuMs / rows))})`,
    latency,
  ];
  out.table(
    ['', 'rows', 'wall', 'rows/s', 'CPU', 'rows per CPU-s', 'CPU per row', 'of which model', 'latency'],
    [
      row(
        'online (HTTP, micro-batched)',
        load.ok,
        load.wallMs,
        load.serverCpuMs,
        onlineModelMs,
        `p50 ${fmt.ms(load.p50)}, p99 ${fmt.ms(load.p99)} per request`,
      ),
      row(
        `batch (BullMQ, ${batch.jobs} jobs)`,
        n,
        batch.wallMs,
        batch.cpuMs,
        batch.modelMs / n,
        `${fmt.ms(batch.wallMs)} for the last row`,
      ),
    ],
  );
}
