/**
 * The warmup lab's checks and faults (Q19). Every check is a count or a flag read from the run, never
 * a latency ratio: on the TF.js wasm backend the latency effects are real but not large enough to be
 * a reliable pass/fail signal on a busy 2-core machine, so latencies are shown, counts are checked.
 */
import type { LabBreak } from '@mlops-lab/labkit';

export const CHECK = {
  readyMeansWarm: 'warm-aware server: its first /readyz 200 came with the model loaded and warm',
  noWaiting: 'warm-aware server: no request reached it before its model was loaded and warm',
  coldShapes: 'warm-aware server: 0 batches ran at a never-warmed (cold) batch shape after ready',
  allAnswered: 'every /predict to either server got a 200 (requests that came early waited, none failed)',
  contrast: 'ready-at-start server (the contrast): requests reached it before its model was loaded',
} as const;

export const BREAKS: LabBreak[] = [
  {
    name: 'ready-too-early',
    symptom:
      'the warm-aware server now takes traffic within milliseconds of starting; its first requests are slow',
    hint: 'read the body of the first /readyz 200 each server gave: what did it say about the model?',
    explanation:
      'The "warm-aware" server was started with readyAtStart: its readiness endpoint answers 200 as ' +
      'soon as the process listens, before the model is read from the registry, rebuilt and warmed. ' +
      'The load balancer (the probe here) trusts it and sends traffic at once: those requests wait ' +
      'for the load and the warm-up inside the server, so the first ones pay the whole start-up. ' +
      'Readiness must mean "loaded and warm", not "the process is up"; liveness (/healthz) is the ' +
      'endpoint that says the process is up (Q19; KServe / Kubernetes readiness probes).',
    flips: [CHECK.readyMeansWarm, CHECK.noWaiting],
  },
  {
    name: 'warmup-wrong-shapes',
    symptom:
      'the warm-aware server reports ready and its first requests look fine, yet a metric counts cold batches',
    hint: 'compare the batch shapes warm-up ran with the shapes the batcher pads traffic to',
    explanation:
      'Warm-up was configured with single requests only (batchSizes [1]) while the batcher pads every ' +
      'batch to one of the allowed sizes 1, 8, 32, 64. Under load the batches are padded to 8, 32 ' +
      'and 64, shapes the model never ran before ready, so the first batch at each of them pays any ' +
      'per-shape cost (model_server_cold_shape_batches_total counts them). On this wasm backend that ' +
      'cost is small; on tfjs-node, TF Serving on GPU or XLA every new shape compiles or allocates and ' +
      'costs tens to hundreds of ms. Warm up at exactly the shapes traffic will use: derive the warm-up ' +
      "sizes from the batcher's allowed sizes (TF Serving: allowed_batch_sizes + warm-up records).",
    flips: [CHECK.coldShapes],
  },
];
