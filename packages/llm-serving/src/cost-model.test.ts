/**
 * The roofline arithmetic against values computed by hand for LLaMA-13B on an A100-40GB
 * (312 TFLOPS at 50% = 156e12 FLOP/s; 1,555 GB/s at 80% = 1,244e9 B/s; 1 ms overhead).
 */
import { describe, expect, it } from 'vitest';
import { CostModel } from './cost-model.ts';
import { A100_40GB, LLAMA_13B } from './hardware.ts';

const cost = new CostModel(A100_40GB, LLAMA_13B);

describe('CostModel', () => {
  it('a decode step of 8 sequences over 4,000 cached tokens is memory-bound: 24.54 ms', () => {
    const c = cost.decode(8, 4000);
    // FLOPs: 2 · 13e9 · 8 = 208e9, plus attention 4 · 40 · 5,120 = 819,200 per attended token × 4,008.
    expect(c.flops).toBe(208_000_000_000 + 819_200 * 4008);
    expect(c.flops).toBe(211_283_353_600);
    // Bytes: 26e9 of weights + (4,000 read + 8 written) · 819,200 B.
    expect(c.hbmBytes).toBe(29_283_353_600);
    expect(c.computeSeconds).toBeCloseTo(211_283_353_600 / 156e12, 12); // 1.354 ms
    expect(c.memorySeconds).toBeCloseTo(29_283_353_600 / 1244e9, 12); // 23.540 ms
    expect(c.seconds).toBeCloseTo(0.023_54 + 0.001, 5);
  });

  it('a 512-token prefill is compute-bound: 87.02 ms', () => {
    const c = cost.prefill(512);
    // 2 · 13e9 · 512 = 13.312e12, attention 819,200 · (512 · 513 / 2 = 131,328) = 107.58e9.
    expect(c.flops).toBe(13_312_000_000_000 + 107_583_897_600);
    expect(c.hbmBytes).toBe(26e9 + 512 * 819_200);
    expect(c.computeSeconds).toBeCloseTo(13_419_583_897_600 / 156e12, 12); // 86.023 ms
    expect(c.computeSeconds).toBeGreaterThan(c.memorySeconds); // 21.24 ms
    expect(c.seconds).toBeCloseTo(0.086_023 + 0.001, 5);
  });

  it('batching decodes is nearly free below the ridge point; swap traffic adds host-link time', () => {
    const one = cost.decode(1, 300).seconds;
    const many = cost.decode(64, 64 * 300).seconds;
    expect(many / one).toBeLessThan(2); // 64 tokens for < 2× the time of one
    const swap = cost.explain({ tokens: 0, attendedTokens: 0, kvReadTokens: 0, swapBytes: 13_107_200 });
    expect(swap.swapSeconds).toBeCloseTo(13_107_200 / 32e9, 12); // one block over PCIe Gen4: 0.41 ms
  });

  it('refuses efficiencies outside (0, 1]', () => {
    expect(
      () =>
        new CostModel(A100_40GB, LLAMA_13B, {
          computeEfficiency: 0,
          bandwidthEfficiency: 1,
          stepOverhead: 0,
        }),
    ).toThrow(/computeEfficiency/);
  });
});
