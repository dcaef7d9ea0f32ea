/**
 * The quantizers against their definitions: the error bound |w - dequantize(quantize(w))| <= s / 2
 * per element on random tensors and schemes (a seeded property test), a hand-computed int4 case,
 * stored sizes, and TF.js's own decoder (tf.io.decodeWeights) as the reference for the two schemes it
 * knows: float16 and per-tensor uint8 affine (value = q · scale + min).
 */
import { mulberry32 } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { loadTf } from '../tfjs.ts';
import { fromHalfBits, toHalfBits, toHalfBitsCeil } from './float16.ts';
import { type IntScheme, parseScheme, QuantizeInputError, type Scheme, schemeName } from './scheme.ts';
import { dequantizeTensor, elementGroups, groupScales, quantizeTensor, storedBytes } from './tensor.ts';

function gaussian(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}

function randomScheme(rnd: () => number): IntScheme {
  const granularity = (['tensor', 'channel', 'group'] as const)[Math.floor(rnd() * 3)];
  return {
    kind: 'int',
    bits: rnd() < 0.5 ? 4 : 8,
    granularity,
    ...(granularity === 'group' ? { groupSize: 2 + Math.floor(rnd() * 40) } : {}),
    symmetric: rnd() < 0.5,
  };
}

/** Normal weights at a random scale, sometimes one 100σ outlier, all zero, or all one value. */
function randomWeights(rnd: () => number, n: number): Float32Array {
  const kind = rnd();
  const sigma = 10 ** (-3 + rnd() * 3);
  const w = Float32Array.from({ length: n }, () =>
    kind < 0.05 ? 0 : kind < 0.1 ? 0.37 : gaussian(rnd) * sigma,
  );
  if (kind > 0.8) w[Math.floor(rnd() * n)] = 100 * sigma;
  return w;
}

describe('quantize -> dequantize error is at most scale / 2 per element', () => {
  it('500 random tensors and integer schemes', () => {
    const violations: string[] = [];
    for (let seed = 1; seed <= 500; seed++) {
      const rnd = mulberry32(seed);
      const shape = [1 + Math.floor(rnd() * 70), 1 + Math.floor(rnd() * 20)];
      const w = randomWeights(rnd, shape[0] * shape[1]);
      const scheme = randomScheme(rnd);
      const q = quantizeTensor(w, shape, scheme);
      const back = dequantizeTensor(q);
      const scales = groupScales(q);
      const groups = elementGroups(shape, scheme);
      for (let i = 0; i < w.length; i++) {
        const bound = scales[groups[i]] / 2;
        // float32 storage of the dequantized value adds at most half an ulp of it.
        const err = Math.abs(w[i] - back[i]);
        if (err > bound + Math.abs(back[i]) * 2 ** -24)
          violations.push(
            `seed ${seed} ${schemeName(scheme)} ${JSON.stringify(shape)} #${i}: ${err} > ${bound}`,
          );
      }
    }
    expect(violations.slice(0, 5)).toEqual([]);
  });

  it('fp16 is within half an ulp (2^-11 relative) for normal-range weights', () => {
    const rnd = mulberry32(3);
    const w = Float32Array.from({ length: 4096 }, () => gaussian(rnd) * 0.05);
    const back = dequantizeTensor(quantizeTensor(w, [64, 64], { kind: 'float16' }));
    for (let i = 0; i < w.length; i++) {
      if (Math.abs(w[i]) < 2 ** -14) continue; // subnormal halves have absolute, not relative, spacing
      expect(Math.abs(w[i] - back[i])).toBeLessThanOrEqual(Math.abs(w[i]) * 2 ** -11);
    }
  });
});

describe('by hand', () => {
  it('int4 symmetric per tensor of [-7, 3.5, 0, 7]: scale 1, codes 1, 12, 8, 15 packed low nibble first', () => {
    const q = quantizeTensor(Float32Array.from([-7, 3.5, 0, 7]), [4, 1], parseScheme('int4-tensor-sym'));
    expect(groupScales(q)).toEqual(Float64Array.from([1]));
    // offset 8: -7 -> 1, round(3.5) = 4 -> 12, 0 -> 8, 7 -> 15
    expect([...q.codes]).toEqual([1 | (12 << 4), 8 | (15 << 4)]);
    expect([...dequantizeTensor(q)]).toEqual([-7, 4, 0, 7]);
  });

  it('int8 asymmetric per channel: each column its own scale and zero point, zero exact', () => {
    const w = Float32Array.from([0, 10, 2.55, 20, 0, 0]); // columns [0, 2.55, 0] and [10, 20, 0]
    const q = quantizeTensor(w, [3, 2], parseScheme('int8-channel-asym'));
    expect(q.zeros && [...q.zeros]).toEqual([0, 0]);
    const scales = groupScales(q);
    expect(scales[0]).toBeGreaterThanOrEqual(2.55 / 255); // rounded up to fp16
    expect(scales[0]).toBeLessThan((2.55 / 255) * (1 + 2 ** -10));
    expect(dequantizeTensor(q)[4]).toBe(0);
  });

  it('stored size: int8 one byte per weight, int4 half a byte plus an fp16 scale (and zero) per group', () => {
    const w = new Float32Array(1024 * 64).fill(0.5);
    expect(storedBytes(quantizeTensor(w, [1024, 64], parseScheme('int8-channel-sym')))).toBe(65_536 + 64 * 2);
    expect(storedBytes(quantizeTensor(w, [1024, 64], parseScheme('int4-g128-sym')))).toBe(32_768 + 512 * 2);
    expect(storedBytes(quantizeTensor(w, [1024, 64], parseScheme('int4-g128-asym')))).toBe(32_768 + 512 * 3);
    expect(storedBytes(quantizeTensor(w, [1024, 64], parseScheme('fp16')))).toBe(131_072);
  });
});

describe('float16', () => {
  it('known bit patterns, ties to even, overflow and subnormals', () => {
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65504)).toBe(0x7bff);
    expect(toHalfBits(65520)).toBe(0x7c00); // rounds past the largest finite half
    expect(toHalfBits(2 ** -24)).toBe(0x0001);
    expect(toHalfBits(0.1)).toBe(0x2e66);
    expect(toHalfBits(1 + 2 ** -11)).toBe(0x3c00); // tie: to the even mantissa
    expect(toHalfBits(1 + 3 * 2 ** -11)).toBe(0x3c02);
    expect(fromHalfBits(toHalfBitsCeil(0.1))).toBeGreaterThanOrEqual(0.1);
  });

  it('every finite half decodes and re-encodes to itself', () => {
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) === 0x7c00) continue; // inf / NaN
      if (toHalfBits(fromHalfBits(h)) !== h) throw new Error(`0x${h.toString(16)} does not round-trip`);
    }
  });
});

describe('against TF.js (tf.io.decodeWeights)', () => {
  it('decodes every half exactly as TF.js float16 dequantization does', async () => {
    const { tf } = await loadTf({ log: () => {} });
    const bits = Uint16Array.from({ length: 0x10000 }, (_, i) => i);
    const [spec] = [
      { name: 'w', shape: [0x10000], dtype: 'float32' as const, quantization: { dtype: 'float16' as const } },
    ];
    const tfValues = tf.io.decodeWeights(bits.buffer, [spec]).w.dataSync();
    for (let h = 0; h < 0x10000; h++) {
      const ours = Math.fround(fromHalfBits(h));
      if (!(Object.is(ours, tfValues[h]) || (Number.isNaN(ours) && Number.isNaN(tfValues[h]))))
        throw new Error(`0x${h.toString(16)}: ours ${ours}, TF.js ${tfValues[h]}`);
    }
  });

  it('per-tensor uint8 affine is tfjs-converter format: value = q · scale + min with min = -z · s', async () => {
    const { tf } = await loadTf({ log: () => {} });
    const rnd = mulberry32(9);
    const w = Float32Array.from({ length: 600 }, () => gaussian(rnd) * 0.1 + 0.03);
    const scheme: Scheme = parseScheme('int8-tensor-asym');
    const q = quantizeTensor(w, [30, 20], scheme);
    const s = groupScales(q)[0];
    const z = q.zeros?.[0] ?? 0;
    const spec = {
      name: 'w',
      shape: [30, 20],
      dtype: 'float32' as const,
      quantization: { dtype: 'uint8' as const, scale: s, min: -z * s },
    };
    const tfValues = tf.io.decodeWeights(q.codes.slice().buffer, [spec]).w.dataSync();
    const ours = dequantizeTensor(q);
    for (let i = 0; i < w.length; i++)
      expect(Math.abs(ours[i] - tfValues[i])).toBeLessThanOrEqual(Math.abs(ours[i]) * 2 ** -22);
  });
});

describe('bad input is refused before any work', () => {
  it('names a bad scheme, shape or weight', () => {
    expect(() => parseScheme('int3-channel-sym')).toThrow(/expected fp16 or int<4\|8>/);
    expect(() => parseScheme('int4-g1-sym')).toThrow(/group size must be an integer from 2/);
    expect(() => quantizeTensor(new Float32Array(5), [2, 2], parseScheme('fp16'))).toThrow(
      /holds 4 values, got 5/,
    );
    expect(() =>
      quantizeTensor(Float32Array.from([1, Number.NaN]), [2], parseScheme('int8-tensor-sym')),
    ).toThrow(QuantizeInputError);
    expect(schemeName(parseScheme('int4-g128-asym'))).toBe('int4-g128-asym');
  });
});
