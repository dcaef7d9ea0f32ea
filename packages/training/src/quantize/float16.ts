/**
 * IEEE 754 binary16 (half precision) encode / decode, for the fp16 weight scheme and for the per-group
 * scales of the integer schemes (stored as fp16, as GPTQ and AWQ checkpoints store theirs) (Q33).
 * Node 20 has no Float16Array, so the conversion is written out: float32 bits -> sign, exponent,
 * mantissa, round to nearest with ties to even, subnormals below 2^-14, overflow to infinity.
 * Reference: IEEE 754-2008 §3.6 (binary16: 1 sign, 5 exponent, 10 fraction bits, bias 15); TF.js
 * decodes the same bits in tf.io.decodeWeights (float16 quantization), which the tests check against.
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The binary16 bits nearest to `x` (ties to even); NaN -> a quiet NaN, beyond 65504 -> infinity. */
export function toHalfBits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: value = m · 2^-24. Below half the smallest subnormal it rounds to zero.
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa moves into the exponent, which is the correctly rounded result.
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** The value of binary16 bits. */
export function fromHalfBits(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (exp === 0) return sign * m * 2 ** -24;
  if (exp === 0x1f) return m ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + m / 1024) * 2 ** (exp - 15);
}

/**
 * The smallest binary16 value >= x, for x >= 0: a scale rounded up never shrinks the range it must
 * cover, so no weight is clamped and the scale / 2 error bound holds with the stored scale.
 */
export function toHalfBitsCeil(x: number): number {
  const h = toHalfBits(x);
  return fromHalfBits(h) < x ? h + 1 : h;
}
