/**
 * The memory arithmetic against hand-computed values and the vLLM paper's figures: LLaMA-13B holds
 * 800 KiB of KV per token and 1.7 GB for a 2,048-token sequence; Llama-2-70B (GQA) 320 KiB per token.
 */
import { describe, expect, it } from 'vitest';
import { A100_40GB, kvBudget, kvBytesPerToken, LLAMA_13B, LLAMA2_70B, weightBytes } from './hardware.ts';

describe('KV bytes per token = 2 · layers · kv_heads · head_dim · bytes', () => {
  it('LLaMA-13B: 2 · 40 · 40 · 128 · 2 = 819,200 B = 800 KiB; 1.7 GB at 2,048 tokens', () => {
    expect(kvBytesPerToken(LLAMA_13B)).toBe(819_200);
    expect(kvBytesPerToken(LLAMA_13B) / 1024).toBe(800);
    expect(((kvBytesPerToken(LLAMA_13B) * 2048) / 1e9).toFixed(1)).toBe('1.7');
  });

  it('Llama-2-70B: 2 · 80 · 8 · 128 · 2 = 327,680 B = 320 KiB', () => {
    expect(kvBytesPerToken(LLAMA2_70B)).toBe(327_680);
    expect(kvBytesPerToken(LLAMA2_70B) / 1024).toBe(320);
  });
});

describe('kvBudget', () => {
  it('LLaMA-13B on an A100-40GB: 0.9 · 40 GiB − 26 GB − 2 GiB = 10,507,222,016 B = 801 blocks of 16 tokens', () => {
    const b = kvBudget(A100_40GB, LLAMA_13B);
    expect(weightBytes(LLAMA_13B)).toBe(26e9);
    expect(b.kvBytes).toBe(0.9 * 42_949_672_960 - 26e9 - 2_147_483_648);
    expect(b.kvBytes).toBe(10_507_222_016);
    expect(b.bytesPerBlock).toBe(13_107_200);
    expect(b.gpuBlocks).toBe(801); // 10,507,222,016 / 13,107,200 = 801.6
    expect(b.cpuBlocks).toBe(327); // 4 GiB / 13,107,200 = 327.7
  });

  it('refuses a model whose weights do not fit, and nonsense plans', () => {
    expect(() => kvBudget(A100_40GB, LLAMA2_70B)).toThrow(/leave no room/);
    expect(() =>
      kvBudget(A100_40GB, LLAMA_13B, { utilization: 1.5, activationBytes: 0, blockSize: 16, swapBytes: 0 }),
    ).toThrow(/utilization/);
    expect(() =>
      kvBudget(A100_40GB, LLAMA_13B, { utilization: 0.9, activationBytes: 0, blockSize: 0, swapBytes: 0 }),
    ).toThrow(/block size/);
  });
});
