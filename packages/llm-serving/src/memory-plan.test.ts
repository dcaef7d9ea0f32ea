/**
 * The memory plan against hand-computed values: 70B weights are 140 GB (fp16), 70 GB (int8), 35 GB
 * (int4); Llama-2-70B holds 320 KiB of KV per token, 1.25 GiB per 4,096-token request; with 8 such
 * requests the GPU counts follow from 0.9 · HBM - 2 GiB of usable memory per GPU.
 */
import { describe, expect, it } from 'vitest';
import { A100_40GB, LLAMA2_70B } from './hardware.ts';
import { A100_80GB, kvBytesPerRequest, memoryNeed, WEIGHT_BITS, weightBytesAt } from './memory-plan.ts';

describe('weights of a 70B model', () => {
  it('140 GB fp16, 70 GB int8, 35 GB int4, 36.09 GB int4 with an fp16 scale per 128 weights', () => {
    expect(weightBytesAt(LLAMA2_70B, WEIGHT_BITS.fp16)).toBe(140e9);
    expect(weightBytesAt(LLAMA2_70B, WEIGHT_BITS.int8)).toBe(70e9);
    expect(weightBytesAt(LLAMA2_70B, WEIGHT_BITS.int4)).toBe(35e9);
    expect(weightBytesAt(LLAMA2_70B, WEIGHT_BITS['int4-g128'])).toBe(36_093_750_000); // 70e9 · 4.125 / 8
  });
});

describe('KV cache', () => {
  it('320 KiB per token; 4,096 tokens: 327,680 · 4,096 = 1,342,177,280 B = 1.25 GiB; int8 KV halves it', () => {
    expect(kvBytesPerRequest(LLAMA2_70B, 1)).toBe(320 * 1024);
    expect(kvBytesPerRequest(LLAMA2_70B, 4096)).toBe(1_342_177_280);
    expect(kvBytesPerRequest(LLAMA2_70B, 4096) / 2 ** 30).toBe(1.25);
    expect(kvBytesPerRequest(LLAMA2_70B, 4096, 1)).toBe(671_088_640);
    expect(() => kvBytesPerRequest(LLAMA2_70B, 4097)).toThrow(/1\.\.4096/);
  });
});

describe('GPUs needed: batch 8 at 4,096 tokens (10 GiB of KV)', () => {
  // usable per GPU: 0.9 · 80 GiB - 2 GiB = 77,309,411,328 - 2,147,483,648 = 75,161,927,680 B
  //                 0.9 · 40 GiB - 2 GiB = 38,654,705,664 - 2,147,483,648 = 36,507,222,016 B
  const q = { contextTokens: 4096, batch: 8 };
  it('A100-80GB: fp16 150.74 GB / 75.16 GB = 2.01 -> 3 GPUs, tensor parallel 4; int8 -> 2; int4 -> 1', () => {
    const fp16 = memoryNeed(A100_80GB, LLAMA2_70B, { ...q, bitsPerWeight: 16 });
    expect(fp16.kvBytes).toBe(10 * 2 ** 30);
    expect(fp16.totalBytes).toBe(150_737_418_240);
    expect(fp16.usablePerGpu).toBe(75_161_927_680);
    expect([fp16.gpus, fp16.tensorParallel]).toEqual([3, 4]);
    const int8 = memoryNeed(A100_80GB, LLAMA2_70B, { ...q, bitsPerWeight: 8 });
    expect([int8.gpus, int8.tensorParallel]).toEqual([2, 2]); // 80.74 / 75.16 = 1.07
    const int4 = memoryNeed(A100_80GB, LLAMA2_70B, { ...q, bitsPerWeight: 4 });
    expect([int4.gpus, int4.tensorParallel]).toEqual([1, 1]); // 45.74 / 75.16 = 0.61
  });

  it('A100-40GB: fp16 4.13 -> 5 GPUs, tensor parallel 8; int8 2.21 -> 3, TP 4; int4 1.25 -> 2', () => {
    const need = (bitsPerWeight: number) => memoryNeed(A100_40GB, LLAMA2_70B, { ...q, bitsPerWeight });
    expect(need(16).usablePerGpu).toBe(36_507_222_016);
    expect([need(16).gpus, need(16).tensorParallel]).toEqual([5, 8]);
    expect([need(8).gpus, need(8).tensorParallel]).toEqual([3, 4]);
    expect([need(4).gpus, need(4).tensorParallel]).toEqual([2, 2]);
  });

  it('refuses nonsense', () => {
    expect(() => memoryNeed(A100_80GB, LLAMA2_70B, { ...q, batch: 0, bitsPerWeight: 8 })).toThrow(/batch/);
    expect(() => weightBytesAt(LLAMA2_70B, 0)).toThrow(/bits per weight/);
  });
});
