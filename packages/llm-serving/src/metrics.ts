/**
 * The figures of one serving run (Q20: latency is user-visible; Q32: what continuous batching buys).
 * Definitions as the serving papers use them:
 * - TTFT, time to first token: first token time − arrival (queueing + prefill).
 * - TPOT, time per output token: (finish − first token) / (output tokens − 1), per request with at least
 *   two tokens (vLLM's benchmark_serving.py; DistServe's "TPOT").
 * - end-to-end latency: finish − arrival.
 * - throughput: output tokens of finished requests / (last finish − first arrival).
 * - goodput under an SLO: finished requests meeting both the TTFT and the TPOT bound, per second of the
 *   same span (DistServe, Zhong et al., OSDI'24, counts goodput in requests that meet their SLO).
 * - KV utilisation: time-weighted tokens held in the cache / tokens of the blocks allocated; waste is the
 *   rest (reserved but unused), what the vLLM paper's Fig. 2 measures (20–40% used in existing systems).
 * Percentiles are nearest-rank (evaluation's quantile, method 'inverted_cdf'): a p99 some request had.
 */
import { quantile } from '@mlops-lab/evaluation';
import type { RunResult } from './engine.ts';
import type { RequestRecord } from './sequence.ts';

export interface Slo {
  /** Seconds. */
  ttft: number;
  /** Seconds per output token. */
  tpot: number;
}

export interface RunSummary {
  requests: number;
  finished: number;
  dropped: number;
  rejected: number;
  spanSeconds: number;
  throughput: number;
  requestsPerSecond: number;
  ttftP50: number;
  ttftP99: number;
  tpotP50: number;
  tpotP99: number;
  e2eP50: number;
  e2eP99: number;
  /** Share of allocated KV slots holding a real token (time-weighted). */
  kvUtilization: number;
  /** 1 − kvUtilization: reserved but unused. */
  kvWaste: number;
  /** Share of the pool allocated (time-weighted). */
  poolOccupancy: number;
  meanDecodeBatch: number;
  preemptions: number;
  recomputedTokens: number;
  swappedBlocks: number;
  oomEvents: number;
  deadlocks: number;
  sloAttainment: number;
  goodput: number;
}

const p = (xs: number[], q: number) => quantile(xs, q, { method: 'inverted_cdf' });

export function tpotOf(r: RequestRecord): number {
  return (r.finishedAt - r.firstTokenAt) / (r.outputTokens - 1);
}

/** Summarises `result`; `only` restricts the latency figures to some requests (e.g. the short ones). */
export function summarize(result: RunResult, slo: Slo, only?: (r: RequestRecord) => boolean): RunSummary {
  const { records, stats } = result;
  const done = records.filter((r) => r.outcome === 'finished');
  const picked = only ? done.filter(only) : done;
  const ttft = picked.map((r) => r.firstTokenAt - r.arrival);
  const e2e = picked.map((r) => r.finishedAt - r.arrival);
  const tpot = picked.filter((r) => r.outputTokens > 1).map(tpotOf);
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  let tokens = 0;
  let good = 0;
  for (const r of records) first = Math.min(first, r.arrival);
  for (const r of done) {
    last = Math.max(last, r.finishedAt);
    tokens += r.outputTokens;
    const okTpot = r.outputTokens < 2 || tpotOf(r) <= slo.tpot;
    if (r.firstTokenAt - r.arrival <= slo.ttft && okTpot) good++;
  }
  const span = done.length ? last - first : Number.NaN;
  const reserved = stats.meanReservedTokens;
  return {
    requests: records.length,
    finished: done.length,
    dropped: records.filter((r) => r.outcome === 'dropped-oom' || r.outcome === 'dropped-deadlock').length,
    rejected: records.filter((r) => r.outcome === 'rejected').length,
    spanSeconds: span,
    throughput: tokens / span,
    requestsPerSecond: done.length / span,
    ttftP50: p(ttft, 0.5),
    ttftP99: p(ttft, 0.99),
    tpotP50: p(tpot, 0.5),
    tpotP99: p(tpot, 0.99),
    e2eP50: p(e2e, 0.5),
    e2eP99: p(e2e, 0.99),
    kvUtilization: reserved > 0 ? stats.meanKvTokens / reserved : Number.NaN,
    kvWaste: reserved > 0 ? 1 - stats.meanKvTokens / reserved : Number.NaN,
    poolOccupancy: reserved / (stats.gpuBlocks * stats.blockSize),
    meanDecodeBatch: stats.meanDecodeBatch,
    preemptions: stats.preemptions,
    recomputedTokens: stats.recomputedTokens,
    swappedBlocks: stats.swappedBlocks,
    oomEvents: stats.oomEvents,
    deadlocks: stats.deadlocks,
    sloAttainment: records.length ? good / records.length : Number.NaN,
    goodput: good / span,
  };
}
