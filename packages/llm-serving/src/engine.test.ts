/**
 * Invariants of the engine as property tests over random seeded workloads and every policy
 * combination (every request ends exactly once, tokens are conserved, no block leaks, a preempted
 * request resumes with its output intact), and the orderings the papers report: continuous beats
 * static batching on throughput at load (Orca), paged KV wastes far less than reservation (vLLM),
 * chunked prefill lowers TPOT p99 under long prompts (Sarathi-Serve).
 */
import { describe, expect, it } from 'vitest';
import { CostModel } from './cost-model.ts';
import { simulate } from './engine.ts';
import type { EngineConfig } from './engine-config.ts';
import { A100_40GB, kvBudget, LLAMA_13B } from './hardware.ts';
import { summarize } from './metrics.ts';
import { generateWorkload, SHAREGPT } from './workload.ts';

const cost = new CostModel(A100_40GB, LLAMA_13B);
const budget = kvBudget(A100_40GB, LLAMA_13B);
const slo = { ttft: 2, tpot: 0.1 };
const base = {
  maxBatch: 256,
  maxBatchedTokens: 2048,
  gpuBlocks: budget.gpuBlocks,
  cpuBlocks: budget.cpuBlocks,
  blockSize: 16,
};

const policies: EngineConfig[] = [];
for (const batching of ['static', 'continuous'] as const)
  for (const kv of ['paged', 'reserve'] as const)
    for (const preemption of ['recompute', 'swap'] as const)
      for (const chunkedPrefill of batching === 'continuous' ? [0, 256] : [0])
        policies.push({ ...base, batching, kv, preemption, chunkedPrefill });

describe('engine invariants (random workloads × every policy)', () => {
  it('each request ends exactly once, tokens are conserved, no block leaks, preempted outputs stay intact', () => {
    let preemptedSeen = 0;
    for (let seed = 1; seed <= 6; seed++) {
      const requests = generateWorkload({ requests: 150, rate: 1 + seed, seed, burstCv: seed % 2 ? 1 : 3 });
      for (const policy of policies) {
        // A small pool (paged only: reservation needs 128 blocks per sequence) forces preemptions.
        const gpuBlocks = policy.kv === 'paged' ? 140 + 20 * seed : base.gpuBlocks;
        const config = { ...policy, gpuBlocks, cpuBlocks: 60, traceIds: requests.map((r) => r.id) };
        const { records, stats } = simulate(requests, config, cost);
        const label = `seed ${seed} ${JSON.stringify(policy)}`;
        expect(
          records.map((r) => r.id).sort((a, b) => a - b),
          label,
        ).toEqual(requests.map((r) => r.id));
        expect(
          records.every((r) => r.outcome === 'finished'),
          label,
        ).toBe(true);
        expect(stats.leakedBlocks, label).toBe(0);
        let tokens = 0;
        let prompts = 0;
        const bad: string[] = [];
        for (const r of records) {
          tokens += r.generated;
          prompts += r.promptTokens;
          const times = r.tokenTimes ?? [];
          if (r.generated !== r.outputTokens) bad.push(`${r.id}: ${r.generated} of ${r.outputTokens} tokens`);
          // Intact output: exactly one time per output token, increasing (a restart would emit more).
          if (times.length !== r.outputTokens) bad.push(`${r.id}: ${times.length} token times`);
          for (let i = 1; i < times.length; i++)
            if (!(times[i] > times[i - 1])) bad.push(`${r.id}: times not increasing`);
          if (!(r.firstTokenAt > r.arrival && r.finishedAt >= r.firstTokenAt))
            bad.push(`${r.id}: times out of order`);
          if (r.preemptions > 0) preemptedSeen++;
        }
        expect(bad, label).toEqual([]);
        expect(stats.outputTokens, label).toBe(tokens);
        // Tokens processed = what the requests need (prompt + output − 1 each) + the discarded KV.
        expect(stats.prefillTokens + stats.decodeTokens, label).toBe(
          prompts + tokens - records.length + stats.recomputedTokens,
        );
        expect(stats.preemptions, label).toBe(stats.recomputePreemptions + stats.swapPreemptions);
        expect(
          records.reduce((a, r) => a + r.preemptions, 0),
          label,
        ).toBe(stats.preemptions);
      }
    }
    expect(preemptedSeen).toBeGreaterThan(0); // the small pools did force preemptions
  });

  it('the same seed gives the same run', () => {
    const requests = generateWorkload({ requests: 200, rate: 3, seed: 9 });
    const config: EngineConfig = { ...base, batching: 'continuous', kv: 'paged', preemption: 'swap' };
    expect(simulate(requests, config, cost)).toEqual(simulate(requests, config, cost));
  });

  it('swap preemption moves blocks over the host link; a full swap space falls back to recompute', () => {
    const requests = generateWorkload({ requests: 300, rate: Number.POSITIVE_INFINITY, seed: 3 });
    const config: EngineConfig = {
      ...base,
      batching: 'continuous',
      kv: 'paged',
      preemption: 'swap',
      gpuBlocks: 200,
    };
    const roomy = simulate(requests, { ...config, cpuBlocks: 400 }, cost).stats;
    expect(roomy.swapPreemptions).toBeGreaterThan(0);
    expect(roomy.recomputePreemptions).toBe(0);
    const tight = simulate(requests, { ...config, cpuBlocks: 0 }, cost).stats;
    expect(tight.swapPreemptions).toBe(0);
    expect(tight.recomputePreemptions).toBe(tight.preemptions);
  });

  it('without preemption a full cache deadlocks; the engine aborts, counts and accounts for every request', () => {
    const requests = generateWorkload({ requests: 300, rate: Number.POSITIVE_INFINITY, seed: 4 });
    const r = simulate(
      requests,
      { ...base, batching: 'continuous', kv: 'paged', preemption: 'none', gpuBlocks: 200 },
      cost,
    );
    expect(r.stats.deadlocks).toBeGreaterThan(0);
    expect(r.records.filter((x) => x.outcome === 'dropped-deadlock').length).toBe(r.stats.deadlocks);
    expect(r.records.length).toBe(300);
    expect(r.stats.leakedBlocks).toBe(0);
  });

  it('a pool larger than HBM holds fails like an out-of-memory, and counts what it lost', () => {
    const requests = generateWorkload({ requests: 300, rate: Number.POSITIVE_INFINITY, seed: 5 });
    const config: EngineConfig = { ...base, batching: 'continuous', kv: 'paged', preemption: 'recompute' };
    const r = simulate(
      requests,
      { ...config, gpuBlocks: 3 * budget.gpuBlocks, physicalBlocks: budget.gpuBlocks },
      cost,
    );
    expect(r.stats.oomEvents).toBeGreaterThan(0);
    expect(r.stats.preemptions).toBe(0);
    expect(r.records.filter((x) => x.outcome === 'dropped-oom').length).toBeGreaterThan(0);
    expect(r.stats.leakedBlocks).toBe(0);
  });

  it('refuses bad configs and unsorted requests, and rejects requests that can never fit', () => {
    const requests = generateWorkload({ requests: 5, rate: 1, seed: 1 });
    const config: EngineConfig = { ...base, batching: 'static', kv: 'paged', preemption: 'recompute' };
    expect(() => simulate(requests, { ...config, maxBatch: 0 }, cost)).toThrow(/maxBatch/);
    expect(() => simulate(requests, { ...config, chunkedPrefill: 256 }, cost)).toThrow(/continuous/);
    expect(() => simulate([...requests].reverse(), config, cost)).toThrow(/sorted/);
    const tiny = simulate(requests, { ...config, kv: 'reserve', gpuBlocks: 100 }, cost);
    expect(tiny.records.every((r) => r.outcome === 'rejected')).toBe(true);
  });
});

describe('orderings the papers report', () => {
  const load = generateWorkload({ requests: 600, rate: 4, seed: 11 });
  const run = (c: Partial<EngineConfig>) =>
    summarize(
      simulate(load, { ...base, batching: 'continuous', kv: 'paged', preemption: 'recompute', ...c }, cost),
      slo,
    );

  it('continuous batching: over 2× the throughput of static at load, with a lower p99 latency (Orca)', () => {
    const stat = run({ batching: 'static', kv: 'reserve' });
    const cont = run({ kv: 'reserve' });
    expect(cont.throughput / stat.throughput).toBeGreaterThan(2);
    expect(cont.e2eP99).toBeLessThan(stat.e2eP99);
  });

  it('paged KV: under 5% waste against well over half for max-length reservation (vLLM)', () => {
    const paged = run({});
    const reserve = run({ kv: 'reserve' });
    expect(paged.kvWaste).toBeLessThan(0.05);
    expect(reserve.kvWaste).toBeGreaterThan(0.6);
    expect(paged.throughput / reserve.throughput).toBeGreaterThan(2);
  });

  it('chunked prefill lowers TPOT p99 under long prompts (Sarathi-Serve)', () => {
    const long = { ...SHAREGPT, promptMean: 700, promptSigma: 0.4, outputMean: 150, outputSigma: 0.6 };
    const w = generateWorkload({ requests: 400, rate: 2.5, seed: 12, lengths: long });
    const cfg: EngineConfig = { ...base, batching: 'continuous', kv: 'paged', preemption: 'recompute' };
    const plain = summarize(simulate(w, cfg, cost), slo);
    const chunked = summarize(simulate(w, { ...cfg, chunkedPrefill: 512 }, cost), slo);
    expect(chunked.tpotP99).toBeLessThan(plain.tpotP99);
  });
});
