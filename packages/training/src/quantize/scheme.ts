/**
 * Weight quantization schemes by name (Q33): `fp16`, and integer schemes `int<bits>-<granularity>-<sym|asym>`
 * with bits 8 or 4 and granularity `tensor` (one scale per tensor), `channel` (one per output channel,
 * the last axis of a Dense kernel) or `g<N>` (groups of N consecutive weights of one output channel
 * along the input axis, as GPTQ / AWQ group their int4 scales, typically N = 128).
 *
 * Symmetric: q = round(w / s), s = max|w| / (2^(b-1) - 1), codes in [-(2^(b-1) - 1), 2^(b-1) - 1]
 * (the restricted range of LLM.int8()'s absmax quantization: zero is exact and the range is balanced).
 * Asymmetric (affine): q = round(w / s) + z, s = (max - min) / (2^b - 1) over a range that includes
 * zero, z an integer zero point in [0, 2^b - 1] (PyTorch's quint8 / tfjs-converter's uint8 affine
 * quantization: TF.js writes the same thing as value = q · scale + min with min = -z · s).
 * Reference: Jacob et al. 2018 ("Quantization and Training of Neural Networks for Efficient
 * Integer-Arithmetic-Only Inference", §2.1 the affine map); Dettmers et al. 2022 (LLM.int8()).
 */

export class QuantizeInputError extends Error {
  override readonly name = 'QuantizeInputError';
}

export type Granularity = 'tensor' | 'channel' | 'group';

export interface IntScheme {
  kind: 'int';
  bits: 4 | 8;
  granularity: Granularity;
  /** Weights per group along the input axis (granularity `group` only). */
  groupSize?: number;
  symmetric: boolean;
}

export interface Fp16Scheme {
  kind: 'float16';
}

export type Scheme = IntScheme | Fp16Scheme;

const INT_NAME = /^int(4|8)-(tensor|channel|g(\d{1,6}))-(sym|asym)$/;
export const GROUP_SIZE_LIMITS = { min: 2, max: 65_536 } as const;

/** `fp16`, `int8-channel-sym`, `int4-g128-asym`, ...; anything else is refused with the grammar. */
export function parseScheme(name: string): Scheme {
  if (name === 'fp16') return { kind: 'float16' };
  const m = INT_NAME.exec(name);
  if (!m)
    throw new QuantizeInputError(
      `unknown quantization scheme ${JSON.stringify(name.slice(0, 40))}: expected fp16 or ` +
        'int<4|8>-<tensor|channel|g<N>>-<sym|asym>, e.g. int8-channel-sym, int4-g128-asym',
    );
  const bits = Number(m[1]) as 4 | 8;
  const symmetric = m[4] === 'sym';
  if (m[3] === undefined) return { kind: 'int', bits, granularity: m[2] as Granularity, symmetric };
  return checkScheme({ kind: 'int', bits, granularity: 'group', groupSize: Number(m[3]), symmetric });
}

/** Refuses a scheme object no name could give (bad bits, a group size out of range or misplaced). */
export function checkScheme(s: Scheme): Scheme {
  if (s.kind === 'float16') return s;
  if (s.bits !== 4 && s.bits !== 8) throw new QuantizeInputError(`bits must be 4 or 8, got ${s.bits}`);
  if (s.granularity === 'group') {
    const g = s.groupSize;
    const { min, max } = GROUP_SIZE_LIMITS;
    if (!(Number.isSafeInteger(g) && (g as number) >= min && (g as number) <= max))
      throw new QuantizeInputError(`group size must be an integer from ${min} to ${max}, got ${g}`);
  } else if (s.groupSize !== undefined)
    throw new QuantizeInputError(`a group size applies to granularity group only, not ${s.granularity}`);
  return s;
}

export function schemeName(s: Scheme): string {
  if (s.kind === 'float16') return 'fp16';
  const gran = s.granularity === 'group' ? `g${s.groupSize}` : s.granularity;
  return `int${s.bits}-${gran}-${s.symmetric ? 'sym' : 'asym'}`;
}

/** A reader's description: `int8, one scale per output channel, symmetric`. */
export function describeScheme(s: Scheme): string {
  if (s.kind === 'float16') return 'IEEE half precision, no scales';
  const per =
    s.granularity === 'tensor'
      ? 'one scale per tensor'
      : s.granularity === 'channel'
        ? 'one scale per output channel'
        : `one scale per ${s.groupSize} weights of a channel`;
  return `int${s.bits}, ${per}, ${s.symmetric ? 'symmetric' : 'asymmetric (zero point)'}`;
}
