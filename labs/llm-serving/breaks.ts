/**
 * The llm-serving lab's checks and faults (Q20, Q32). Each fault is a setting of the deployed engine
 * (scenario.ts) that looks reasonable on a quiet day: a KV pool sized from the whole card, preemption
 * turned off "to keep latency predictable", request-level batches "to keep it simple".
 */
import type { LabBreak } from '@mlops-lab/labkit';

export const CHECK = {
  continuous: 'continuous batching: at least 2× the throughput of static, at an equal or better p99 latency',
  waste: 'max-length reservation wastes most of the KV memory; paged blocks waste under 5%',
  chunked: 'chunked prefill lowers TPOT p99 under long prompts',
  hbm: 'deployed engine: KV blocks in use never exceed what HBM holds',
  complete:
    'deployed engine, burst over the KV capacity: every request finishes exactly once, no block leaked',
  preempt: 'deployed engine, burst over the KV capacity: memory pressure resolved by counted preemptions',
  hol: 'deployed engine: one very long request leaves the p99 latency of short requests within 1.5×',
  goodput: 'deployed engine at a steady 1 request/s: at least 90% of requests meet the TTFT and TPOT SLO',
  stream: 'the SSE replay delivers every token of the request once, in order, then [DONE]',
} as const;

export const BREAKS: LabBreak[] = [
  {
    name: 'kv-oversubscribe',
    symptom: 'under a burst the deployed engine never preempts, then loses whole batches of requests at once',
    hint: 'compare the blocks the scheduler believes it has with the blocks HBM can hold after the weights',
    explanation:
      'The KV pool is sized from the whole card (0.9 · 40 GiB / block bytes) instead of what is left ' +
      'after the 26 GB of weights and the activation workspace: the scheduler believes it has about ' +
      '3.7× the blocks that exist. Admission and decode growth never see a shortage, so nothing is ' +
      'preempted; the first iteration whose blocks pass the real capacity fails like a CUDA ' +
      'out-of-memory and every sequence in flight is lost. vLLM profiles the weights and the peak ' +
      'activation memory at start-up and sizes the pool from what remains (gpu_memory_utilization · ' +
      'total − weights − activations); admission control is only as good as that number (Q20).',
    flips: [CHECK.hbm, CHECK.complete, CHECK.preempt],
  },
  {
    name: 'no-preemption',
    symptom:
      'under a burst the engine stalls: sequences wait for blocks that never free, and requests are aborted',
    hint: 'when every running sequence needs one more block and none is free, which one can give its blocks back?',
    explanation:
      'Preemption is switched off. Paged admission only checks that the prompt fits, so sequences ' +
      'admitted together keep growing until the free blocks run out; then each waits for another to ' +
      'finish, and when all of them are waiting nothing finishes: a deadlock. The engine detects it ' +
      'and aborts the newest sequence, and its tokens are lost. vLLM preempts instead: the latest ' +
      'arrival gives its blocks back, by recompute (its prompt and output so far are prefilled again ' +
      'later) or by swap (its blocks go to CPU memory and come back), and every request finishes. ' +
      'The alternative without preemption is to reserve the maximum length up front, which wastes ' +
      'most of the memory (Q20, Q32).',
    flips: [CHECK.complete, CHECK.preempt],
  },
  {
    name: 'head-of-line',
    symptom: 'short requests wait tens of seconds whenever one long generation is in flight',
    hint: 'when does a new request get into the batch: at the next iteration, or when the whole batch is done?',
    explanation:
      'The deployed engine batches at the request level: a batch is formed when the engine is idle ' +
      'and runs until its longest sequence finishes. One 1,500-token generation keeps its batch ' +
      'running for most of a minute; finished slots stay empty and every request that arrives meanwhile ' +
      'waits in the queue, so the p99 of short requests explodes and most requests miss the TTFT SLO. ' +
      'Iteration-level (continuous) batching, Orca, re-forms the batch at every step: the long request ' +
      'holds one slot, the short ones flow around it (Q32).',
    flips: [CHECK.hol, CHECK.goodput],
  },
];
