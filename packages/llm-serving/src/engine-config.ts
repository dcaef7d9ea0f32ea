/**
 * What one engine run is configured with (Q20, Q32): the batching, KV and preemption policies and the
 * pool sizes, and the refusal of a config that cannot run, before any work. The policies themselves
 * are scheduler.ts; the loop that runs them is engine.ts.
 */

export type Batching = 'static' | 'continuous';
export type KvPolicy = 'paged' | 'reserve';
export type Preemption = 'recompute' | 'swap' | 'none';

export interface EngineConfig {
  batching: Batching;
  kv: KvPolicy;
  preemption: Preemption;
  /** Sarathi-Serve token budget per iteration; absent or 0: no chunking. */
  chunkedPrefill?: number;
  /** Most sequences in one batch (vLLM's max_num_seqs, default 256). */
  maxBatch: number;
  /** Most prompt tokens in one prefill iteration without chunking (vLLM's max_num_batched_tokens). */
  maxBatchedTokens: number;
  /** Blocks the scheduler believes it has. */
  gpuBlocks: number;
  /** Blocks HBM really holds (default gpuBlocks). */
  physicalBlocks?: number;
  cpuBlocks: number;
  blockSize: number;
  /** Request ids whose every token time is recorded (the streaming view). */
  traceIds?: readonly number[];
}

export class EngineConfigError extends Error {
  override readonly name = 'EngineConfigError';
}

export function validateConfig(c: EngineConfig): void {
  const positive = (name: string, v: number) => {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new EngineConfigError(`${name} ${v} must be a positive integer`);
  };
  positive('maxBatch', c.maxBatch);
  positive('maxBatchedTokens', c.maxBatchedTokens);
  positive('gpuBlocks', c.gpuBlocks);
  positive('blockSize', c.blockSize);
  if (c.physicalBlocks !== undefined) positive('physicalBlocks', c.physicalBlocks);
  if (!Number.isSafeInteger(c.cpuBlocks) || c.cpuBlocks < 0)
    throw new EngineConfigError(`cpuBlocks ${c.cpuBlocks} must be a non-negative integer`);
  if (c.chunkedPrefill !== undefined && c.chunkedPrefill !== 0) positive('chunkedPrefill', c.chunkedPrefill);
  if (c.chunkedPrefill && c.batching === 'static')
    throw new EngineConfigError(
      'chunked prefill needs continuous batching (a static batch admits nothing mid-run)',
    );
}
