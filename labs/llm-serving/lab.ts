/**
 * Lab `llm-serving` (Q20, Q32): one token-level simulation of LLaMA-13B served on an A100-40GB
 * (packages/llm-serving), the same ShareGPT-like workload through five engines (static and continuous
 * batching, max-length reservation and paged KV, recompute and swap preemption, chunked prefill), a
 * throughput-vs-latency sweep, then the deployed engine under a burst over its KV capacity, behind one
 * very long request, and at a steady load against an SLO; last, one request replayed as an SSE stream.
 * References: Orca (OSDI'22), vLLM / PagedAttention (SOSP'23), Sarathi-Serve (OSDI'24).
 */
import { quantile } from '@mlops-lab/evaluation';
import { type Check, check, fmt, type LabDefinition } from '@mlops-lab/labkit';
import {
  generateWorkload,
  type RequestRecord,
  type RunSummary,
  simulate,
  startTokenStream,
  summarize,
} from '@mlops-lab/llm-serving';
import { BREAKS, CHECK } from './breaks.ts';
import {
  BUDGET,
  CHUNK,
  CONFIGS,
  COST,
  deployedEngine,
  GPU,
  LONG_PROMPTS,
  MODEL,
  SHORT_TURNS,
  SLO,
  withLongRequest,
} from './scenario.ts';
import { readStream } from './stream-view.ts';

const SIZE = {
  quick: { compare: 600, sweep: 300, long: 300, burst: 300, hol: 200, steady: 300, timeScale: 0.1 },
  full: { compare: 4000, sweep: 1500, long: 1500, burst: 1000, hol: 800, steady: 1500, timeScale: 0.25 },
};
/** Above the capacity of every engine but the paged ones, so throughput is capacity, not arrivals. */
const COMPARE_RATE = 4;
const SWEEP_RATES = [0.1, 0.25, 0.5, 1, 1.5, 2, 2.5, 3, 4];
const LONG_RATE = 2.5;
const HOL_RATE = 4;
const STEADY_RATE = 1;

const ms = (s: number) => fmt.ms(s * 1000);
const sec = (s: number) => `${s.toFixed(1)} s`;

function row(label: string, s: RunSummary): (string | number)[] {
  return [
    label,
    Math.round(s.throughput),
    ms(s.ttftP99),
    ms(s.tpotP99),
    sec(s.e2eP99),
    fmt.pct(s.kvUtilization),
    s.preemptions,
    s.goodput.toFixed(2),
  ];
}
const HEADERS = ['engine', 'tok/s', 'TTFT p99', 'TPOT p99', 'e2e p99', 'KV used', 'preempt', 'goodput'];

const lab: LabDefinition = {
  name: 'llm-serving',
  title: 'LLM serving: static vs continuous batching, paged KV cache, preemption, streaming',
  questions: [20, 32],
  needs: [],
  breaks: BREAKS,
  async run({ quick, seed, fault, out }) {
    const size = quick ? SIZE.quick : SIZE.full;

    out.step('The accelerator, the model and the roofline');
    const decode1 = COST.decode(1, 300);
    const decode32 = COST.decode(32, 32 * 300);
    const prefill = COST.prefill(512);
    out.table(
      ['', 'value', 'from'],
      [
        ['GPU', GPU.name, `${GPU.peakFlops / 1e12} TFLOPS fp16, ${GPU.memBandwidth / 1e9} GB/s HBM`],
        [
          'model',
          MODEL.name,
          `${MODEL.params / 1e9}B params, ${MODEL.layers} layers, ${MODEL.kvHeads} KV heads × ${MODEL.headDim}`,
        ],
        ['KV per token', `${BUDGET.bytesPerToken / 1024} KiB`, '2 · layers · kv_heads · head_dim · 2 bytes'],
        [
          'KV at 2,048 tokens',
          `${((BUDGET.bytesPerToken * 2048) / 1e9).toFixed(2)} GB`,
          'one full-length sequence',
        ],
        [
          'KV pool',
          `${(BUDGET.kvBytes / 1e9).toFixed(2)} GB = ${BUDGET.gpuBlocks} blocks of 16`,
          '0.9 · HBM − 26 GB weights − 2 GiB activations',
        ],
        [
          'decode, batch 1 (300 ctx)',
          ms(decode1.seconds),
          decode1.memorySeconds > decode1.computeSeconds ? 'memory-bound' : 'compute-bound',
        ],
        [
          'decode, batch 32 (300 ctx each)',
          ms(decode32.seconds),
          `${fmt.ratio(decode32.seconds / decode1.seconds)} the time for 32× the tokens`,
        ],
        [
          'prefill, 512 tokens',
          ms(prefill.seconds),
          prefill.computeSeconds > prefill.memorySeconds ? 'compute-bound' : 'memory-bound',
        ],
      ],
    );
    out.pointer(
      'packages/llm-serving/src/cost-model.ts',
      'the roofline of one iteration, each constant with its source',
    );

    const compare = generateWorkload({ requests: size.compare, rate: COMPARE_RATE, seed });
    const prompts = compare.map((r) => r.promptTokens);
    const outputs = compare.map((r) => r.outputTokens);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const pct = (xs: number[], q: number) => quantile(xs, q, { method: 'inverted_cdf' });
    out.step(
      `The workload: ${size.compare} ShareGPT-like requests, Poisson arrivals at ${COMPARE_RATE} req/s`,
    );
    out.table(
      ['', 'mean', 'p50', 'p99', 'max'],
      [
        [
          'prompt tokens',
          Math.round(mean(prompts)),
          pct(prompts, 0.5),
          pct(prompts, 0.99),
          Math.max(...prompts),
        ],
        [
          'output tokens',
          Math.round(mean(outputs)),
          pct(outputs, 0.5),
          pct(outputs, 0.99),
          Math.max(...outputs),
        ],
      ],
    );

    const compared = await out.step('The same workload through five engines', async () =>
      CONFIGS.map(({ label, config }) => ({
        label,
        result: summarize(simulate(compare, config, COST), SLO),
      })),
    );
    const [stat, orca, vllm, , sarathi] = compared.map((r) => r.result);
    out.table(
      HEADERS,
      compared.map((r) => row(r.label, r.result)),
    );
    out.say(
      'KV used: time-weighted tokens in the cache / tokens of the blocks allocated (the rest is reserved but unused). ' +
        `goodput: requests/s that met the SLO, TTFT ≤ ${SLO.ttft} s and TPOT ≤ ${SLO.tpot * 1000} ms.`,
    );
    out.say(
      `continuous vs static: ${fmt.ratio(orca.throughput / stat.throughput)} the throughput with the same reservation; ` +
        `paged vs reserve: ${fmt.ratio(vllm.throughput / orca.throughput)}; paged vs static: ${fmt.ratio(vllm.throughput / stat.throughput)}.`,
    );
    out.pointer(
      'packages/llm-serving/src/engine.ts',
      'the scheduler: admission, batching, preemption, chunked prefill',
    );

    const sweep = await out.step(
      `Throughput vs latency: arrival rate ${SWEEP_RATES[0]} to ${SWEEP_RATES.at(-1)} req/s`,
      async () =>
        CONFIGS.map(({ label, config }) => ({
          label,
          points: SWEEP_RATES.map((rate) =>
            summarize(simulate(generateWorkload({ requests: size.sweep, rate, seed }), config, COST), SLO),
          ),
        })),
    );
    const short = ['static', 'orca', 'vllm', 'swap', 'sarathi'];
    out.chart(
      sweep.map((s, i) => ({ label: short[i], values: s.points.map((p) => p.throughput) })),
      { height: 8, caption: `output tokens/s by arrival rate (${SWEEP_RATES.join(', ')} req/s)` },
    );
    out.chart(
      sweep.map((s, i) => ({ label: short[i], values: s.points.map((p) => Math.log10(p.e2eP99)) })),
      { height: 8, caption: 'log10 of the p99 end-to-end latency (s) by arrival rate' },
    );
    // The best throughput of the sweep among the rates where the engine meets a p99 target.
    const best = (ok: (p: RunSummary) => boolean) =>
      sweep.map((s) => Math.max(0, ...s.points.filter(ok).map((p) => p.throughput)));
    const atTpot = best((p) => p.tpotP99 <= SLO.tpot);
    const atSlo = best((p) => p.tpotP99 <= SLO.tpot && p.ttftP99 <= SLO.ttft);
    const vs = (xs: number[], i: number) => (xs[0] > 0 ? fmt.ratio(xs[i] / xs[0]) : '-');
    out.table(
      [
        'engine',
        `tok/s at TPOT p99 ≤ ${SLO.tpot * 1000} ms`,
        'vs static',
        `and TTFT p99 ≤ ${SLO.ttft} s`,
        'vs static',
      ],
      sweep.map((s, i) => [
        s.label,
        Math.round(atTpot[i]),
        vs(atTpot, i),
        Math.round(atSlo[i]),
        vs(atSlo, i),
      ]),
    );

    const longW = generateWorkload({ requests: size.long, rate: LONG_RATE, seed, lengths: LONG_PROMPTS });
    const plainCfg = CONFIGS[2].config;
    const [plainLong, chunkLong] = await out.step(
      `Chunked prefill under long prompts (~${LONG_PROMPTS.promptMean} in, ~${LONG_PROMPTS.outputMean} out, ${LONG_RATE} req/s)`,
      async () => [
        summarize(simulate(longW, plainCfg, COST), SLO),
        summarize(simulate(longW, { ...plainCfg, chunkedPrefill: CHUNK }, COST), SLO),
      ],
    );
    out.table(HEADERS, [
      row('prefill-first (vLLM)', plainLong),
      row(`chunked ${CHUNK} (Sarathi)`, chunkLong),
    ]);

    // The deployed engine: the faults are settings of it.
    const deployed = deployedEngine(fault);
    out.step(`The deployed engine: ${deployed.gpuBlocks} blocks in its pool, ${BUDGET.gpuBlocks} in HBM`);
    const burstW = generateWorkload({ requests: size.burst, rate: 50, seed, burstCv: 3 });
    const burstRun = simulate(burstW, deployed, COST);
    const burst = summarize(burstRun, SLO);
    const swapRun = simulate(burstW, { ...deployed, preemption: 'swap' }, COST);
    const perRequest = burstRun.records.reduce((a, r) => a + r.preemptions, 0);
    out.say(
      `A burst: ${size.burst} requests at 50 req/s (Gamma gaps, CV 3), far over the ${BUDGET.gpuBlocks}-block cache.`,
    );
    out.table(
      ['engine', 'done', 'lost', 'preempt', 'recomputed', 'swapped', 'OOM', 'deadlock', 'peak blk', 'leak'],
      [burstRun, swapRun].map((r, i) => {
        const s = summarize(r, SLO);
        return [
          i === 0 ? 'deployed' : 'deployed, swap',
          s.finished,
          s.dropped,
          s.preemptions,
          s.recomputedTokens,
          s.swappedBlocks,
          s.oomEvents,
          s.deadlocks,
          r.stats.peakBlocks,
          r.stats.leakedBlocks,
        ];
      }),
    );

    const shortW = generateWorkload({ requests: size.hol, rate: HOL_RATE, seed, lengths: SHORT_TURNS });
    const withLong = withLongRequest(shortW, shortW[Math.floor(size.hol / 10)].arrival);
    const isShort = (r: RequestRecord) => r.id < size.hol;
    const holBase = summarize(simulate(shortW, deployed, COST), SLO, isShort);
    const holRun = summarize(simulate(withLong, deployed, COST), SLO, isShort);
    out.say(
      `Head-of-line: ${size.hol} short turns at ${HOL_RATE} req/s, with and without one 1,500-token generation among them.`,
    );
    out.table(
      ['short requests', 'TTFT p99', 'e2e p50', 'e2e p99'],
      [
        ['alone', ms(holBase.ttftP99), sec(holBase.e2eP50), sec(holBase.e2eP99)],
        ['with one long request', ms(holRun.ttftP99), sec(holRun.e2eP50), sec(holRun.e2eP99)],
      ],
    );
    const holRatio = holRun.e2eP99 / holBase.e2eP99;

    const steadyW = generateWorkload({ requests: size.steady, rate: STEADY_RATE, seed });
    const steadyRun = simulate(steadyW, { ...deployed, traceIds: steadyW.map((r) => r.id) }, COST);
    const steady = summarize(steadyRun, SLO);
    out.say(
      `Steady load, ${STEADY_RATE} req/s: ${fmt.pct(steady.sloAttainment)} of requests meet the SLO; ` +
        `TTFT p99 ${ms(steady.ttftP99)}, TPOT p99 ${ms(steady.tpotP99)}.`,
    );

    // Streaming: the finished request closest to the median output length, replayed on loopback.
    const done = steadyRun.records.filter((r) => r.outcome === 'finished');
    const medianOut = pct(
      done.map((r) => r.outputTokens),
      0.5,
    );
    const shown = done.find((r) => r.outputTokens === medianOut) as RequestRecord;
    const stream = await out.step(
      `Stream request ${shown.id} over SSE on loopback (time × ${size.timeScale})`,
      async () => {
        const server = await startTokenStream([shown], { timeScale: size.timeScale });
        try {
          return await readStream(server.urlOf(shown.id));
        } finally {
          await server.close();
        }
      },
    );
    const ttft = shown.firstTokenAt - shown.arrival;
    const total = shown.finishedAt - shown.arrival;
    const scale = size.timeScale;
    out.table(
      ['', 'simulated', `due on the wall clock (× ${scale})`, 'arrived at the client'],
      [
        ['first token (TTFT)', ms(ttft), ms(ttft * scale), ms(stream.firstEventWall)],
        ['last token', ms(total), ms(total * scale), ms(stream.lastEventWall)],
        ['tokens', shown.outputTokens, shown.outputTokens, stream.events.length],
      ],
    );
    out.say(
      `The user sees text after ${fmt.pct(ttft / total)} of the request's time instead of at the end. ` +
        'The client column is wall-clock time on this machine, its lag over the due time the cost of the HTTP path ' +
        'and of a busy event loop (information, not a check).',
    );
    out.pointer('packages/llm-serving/src/stream.ts', 'the server-sent-events replay');

    const inOrder = stream.events.every((e, i) => e.index === i);
    const checks: Check[] = [
      check(
        CHECK.continuous,
        vllm.throughput >= 2 * stat.throughput && vllm.e2eP99 <= stat.e2eP99,
        `${Math.round(vllm.throughput)} vs ${Math.round(stat.throughput)} tok/s (${fmt.ratio(vllm.throughput / stat.throughput)}); ` +
          `p99 e2e ${sec(vllm.e2eP99)} vs ${sec(stat.e2eP99)}`,
      ),
      check(
        CHECK.waste,
        orca.kvWaste >= 0.6 && vllm.kvWaste < 0.05,
        `reserve wastes ${fmt.pct(orca.kvWaste)}, paged ${fmt.pct(vllm.kvWaste)}`,
      ),
      check(
        CHECK.chunked,
        chunkLong.tpotP99 < plainLong.tpotP99,
        `TPOT p99 ${ms(chunkLong.tpotP99)} chunked vs ${ms(plainLong.tpotP99)} prefill-first`,
      ),
      check(
        CHECK.hbm,
        burstRun.stats.peakBlocks <= BUDGET.gpuBlocks && burstRun.stats.oomEvents === 0,
        `peak ${burstRun.stats.peakBlocks} blocks of ${BUDGET.gpuBlocks} in HBM; ${burstRun.stats.oomEvents} out-of-memory failures`,
      ),
      check(
        CHECK.complete,
        burst.finished === size.burst && burstRun.stats.leakedBlocks === 0,
        `${burst.finished}/${size.burst} finished, ${burst.dropped} dropped, ${burstRun.stats.leakedBlocks} blocks leaked`,
      ),
      check(
        CHECK.preempt,
        burst.preemptions > 0 && perRequest === burst.preemptions && burst.dropped === 0,
        `${burst.preemptions} preemptions (${perRequest} on the requests), ${burst.recomputedTokens} tokens recomputed, ${burst.dropped} dropped`,
      ),
      check(
        CHECK.hol,
        holRatio <= 1.5,
        `short requests' p99 ${sec(holRun.e2eP99)} with the long one vs ${sec(holBase.e2eP99)} alone (${fmt.ratio(holRatio, 2)})`,
      ),
      check(
        CHECK.goodput,
        steady.sloAttainment >= 0.9,
        `${fmt.pct(steady.sloAttainment)} within TTFT ≤ ${SLO.ttft} s and TPOT ≤ ${SLO.tpot * 1000} ms`,
      ),
      check(
        CHECK.stream,
        stream.done && inOrder && stream.events.length === shown.outputTokens,
        `${stream.events.length}/${shown.outputTokens} tokens in order, [DONE] ${stream.done ? 'received' : 'missing'}`,
      ),
    ];
    return {
      checks,
      metrics: {
        throughputStatic: stat.throughput,
        throughputOrca: orca.throughput,
        throughputVllm: vllm.throughput,
        throughputSarathi: sarathi.throughput,
        continuousOverStatic: orca.throughput / stat.throughput,
        pagedOverReserve: vllm.throughput / orca.throughput,
        pagedOverStatic: vllm.throughput / stat.throughput,
        tpotTargetPagedOverStatic: atTpot[0] > 0 ? atTpot[2] / atTpot[0] : null,
        tpotTargetPagedOverReserve: atTpot[1] > 0 ? atTpot[2] / atTpot[1] : null,
        kvUsedReserve: orca.kvUtilization,
        kvUsedPaged: vllm.kvUtilization,
        tpotP99PrefillFirst: plainLong.tpotP99,
        tpotP99Chunked: chunkLong.tpotP99,
        burstPreemptions: burst.preemptions,
        burstDropped: burst.dropped,
        burstOom: burst.oomEvents,
        holP99Ratio: holRatio,
        sloAttainmentSteady: steady.sloAttainment,
      },
    };
  },
};

export default lab;
