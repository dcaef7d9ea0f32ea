/**
 * Benchmark: simulator speed (Q20, Q32). 100,000 ShareGPT-like requests (10,000 with --quick) at 2
 * req/s, near the paged engine's capacity, through three engines; figures are wall time, simulated
 * requests and output tokens per wall second, and simulated seconds per wall second. The baselines
 * in the same run are floors no token-level simulator can beat: drawing the workload alone, and one
 * pass over every token it holds (prompt + output) doing one floating-point update each. The ratios
 * say what the scheduling, the block tables and the cost model cost on top of touching each token.
 *
 *   pnpm bench llm-serving [--quick] [--requests N] [--runs N]   (--quick: 10,000 requests, 3 runs)
 */
import { flag, intArg, report, time } from '@mlops-lab/benchkit';
import {
  A100_40GB,
  CostModel,
  type EngineConfig,
  generateWorkload,
  kvBudget,
  LLAMA_13B,
  simulate,
} from '../src/index.ts';

const quick = flag('quick');
const requests = intArg('requests', quick ? 10_000 : 100_000);
const runs = intArg('runs', quick ? 3 : 5);
const RATE = 2;

const cost = new CostModel(A100_40GB, LLAMA_13B);
const b = kvBudget(A100_40GB, LLAMA_13B);
const base = {
  maxBatch: 256,
  maxBatchedTokens: 2048,
  gpuBlocks: b.gpuBlocks,
  cpuBlocks: b.cpuBlocks,
  blockSize: 16,
};
const engines: [string, string, EngineConfig][] = [
  ['static', 'static, reserve', { ...base, batching: 'static', kv: 'reserve', preemption: 'recompute' }],
  [
    'paged',
    'continuous, paged, recompute',
    { ...base, batching: 'continuous', kv: 'paged', preemption: 'recompute' },
  ],
  [
    'chunked',
    'continuous, paged, chunked 256',
    { ...base, batching: 'continuous', kv: 'paged', preemption: 'recompute', chunkedPrefill: 256 },
  ],
];

const workload = generateWorkload({ requests, rate: RATE, seed: 1 });
const tokens = workload.reduce((a, r) => a + r.promptTokens + r.outputTokens, 0);
const outputTokens = workload.reduce((a, r) => a + r.outputTokens, 0);

const draw = time(runs, (run) => generateWorkload({ requests, rate: RATE, seed: run + 2 }));
let sink = 0;
const floor = time(runs, () => {
  for (const r of workload) {
    const n = r.promptTokens + r.outputTokens;
    for (let i = 0; i < n; i++) sink += i * 1e-9;
  }
});
const sims = engines.map(([key, label, config]) => {
  let simulated = 0;
  let steps = 0;
  const t = time(runs, () => {
    const res = simulate(workload, config, cost);
    simulated = res.stats.endTime;
    steps = res.stats.steps;
  });
  return { key, label, t, simulated, steps };
});
if (Number.isNaN(sink)) console.log('unreachable: keeps the floor loop from being optimised away');

const perSecond = (n: number, ms: number) => (n / ms) * 1000;
report({
  bench: 'llm-serving',
  title: `llm-serving simulator: ${requests} requests (${tokens} tokens) at ${RATE} req/s, median of ${runs} runs (Node ${process.version})`,
  columns: [
    { key: 'wall', unit: 'ms' },
    { key: 'cpu', unit: 'ms' },
    { key: 'reqPerS', label: 'requests/s' },
    { key: 'simPerWall', label: 'sim s / wall s' },
  ],
  ratioOn: ['cpu'],
  rows: [
    {
      label: `floor: draw ${requests} requests`,
      key: 'draw',
      values: { ...draw, reqPerS: perSecond(requests, draw.wall) },
    },
    { label: `floor: one update per token (${tokens})`, key: 'tokens', values: { ...floor } },
    ...sims.map((s) => ({
      label: `simulate: ${s.label}`,
      key: s.key,
      vs: 'tokens',
      values: { ...s.t, reqPerS: perSecond(requests, s.t.wall), simPerWall: s.simulated / (s.t.wall / 1000) },
      note: `${s.steps} iterations, ${Math.round(s.simulated)} s simulated`,
    })),
  ],
  notes: sims.map(
    (s) =>
      `${s.key}: ${Math.round(perSecond(requests, s.t.wall))} requests/s, ${Math.round(perSecond(outputTokens, s.t.wall))} output tokens/s (wall, warm)`,
  ),
  json: {
    requests,
    tokens,
    runs,
    ...Object.fromEntries(sims.map((s) => [`${s.key}RequestsPerSecond`, perSecond(requests, s.t.wall)])),
  },
});
