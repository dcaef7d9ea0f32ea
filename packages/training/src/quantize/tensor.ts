/**
 * Quantize and dequantize one weight tensor (Q33): pure functions over a Float32Array and its shape.
 * A tensor is read as [rows, cols] with cols its last axis (a Dense kernel is [inputs, units], so a
 * column is one output channel). Every element belongs to one group, which owns one scale (and, when
 * asymmetric, one zero point): the whole tensor, one column, or `groupSize` consecutive rows of one
 * column. Scales are stored as fp16 rounded up, so the stored scale still covers the group's range
 * and |w - dequantize(quantize(w))| <= s / 2 for every element (src/quantize/tensor.test.ts checks it
 * on random tensors). Codes are unsigned: symmetric ones offset by 2^(b-1), int4 packed two per byte
 * (low nibble first).
 * Reference: the affine map of Jacob et al. 2018 §2.1; absmax (symmetric) quantization of LLM.int8();
 * group-wise int4 as in GPTQ (Frantar et al. 2023) and AWQ (Lin et al. 2024), without their
 * second-order / activation-aware choice of the rounding: this is plain round-to-nearest.
 */
import { fromHalfBits, toHalfBits, toHalfBitsCeil } from './float16.ts';
import { QuantizeInputError, type Scheme } from './scheme.ts';

export interface QuantizedTensor {
  shape: number[];
  scheme: Scheme;
  /** Unsigned codes (int4: two per byte, low nibble first), or fp16 bits little-endian for fp16. */
  codes: Uint8Array;
  /** One fp16 scale per group (bits); empty for fp16. */
  scales: Uint16Array;
  /** One zero point per group for asymmetric schemes; null when symmetric (the offset is 2^(b-1)). */
  zeros: Uint8Array | null;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** [rows, cols]: cols the last axis (output channels), rows everything before it. */
function matrixOf(shape: readonly number[]): [number, number] {
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1];
  return [elementCount(shape) / cols, cols];
}

/** Number of groups (scales) of a tensor under a scheme; 0 for fp16. */
export function groupCount(shape: readonly number[], scheme: Scheme): number {
  if (scheme.kind === 'float16') return 0;
  const [rows, cols] = matrixOf(shape);
  if (scheme.granularity === 'tensor') return 1;
  if (scheme.granularity === 'channel') return cols;
  return cols * Math.ceil(rows / (scheme.groupSize as number));
}

/** The group of every element, in row-major order. */
export function elementGroups(shape: readonly number[], scheme: Scheme): Int32Array {
  const [rows, cols] = matrixOf(shape);
  const out = new Int32Array(rows * cols);
  if (scheme.kind === 'float16' || scheme.granularity === 'tensor') return out;
  const g = scheme.granularity === 'group' ? (scheme.groupSize as number) : rows;
  const perCol = Math.ceil(rows / g);
  for (let r = 0; r < rows; r++) {
    const gr = Math.floor(r / g);
    for (let c = 0; c < cols; c++) out[r * cols + c] = c * perCol + gr;
  }
  return out;
}

function checkInput(values: Float32Array, shape: readonly number[]): void {
  if (!shape.every((d) => Number.isSafeInteger(d) && d > 0))
    throw new QuantizeInputError(`shape ${JSON.stringify(shape)} must be positive integers`);
  if (elementCount(shape) !== values.length)
    throw new QuantizeInputError(
      `shape ${JSON.stringify(shape)} holds ${elementCount(shape)} values, got ${values.length}`,
    );
  for (let i = 0; i < values.length; i++)
    if (!Number.isFinite(values[i])) throw new QuantizeInputError(`weight ${i} is ${values[i]}, not finite`);
}

export function quantizeTensor(
  values: Float32Array,
  shape: readonly number[],
  scheme: Scheme,
): QuantizedTensor {
  checkInput(values, shape);
  const n = values.length;
  if (scheme.kind === 'float16') {
    const codes = new Uint8Array(n * 2);
    const view = new DataView(codes.buffer);
    for (let i = 0; i < n; i++) view.setUint16(i * 2, toHalfBits(values[i]), true);
    return { shape: [...shape], scheme, codes, scales: new Uint16Array(0), zeros: null };
  }
  const groups = elementGroups(shape, scheme);
  const k = groupCount(shape, scheme);
  // The range of each group includes zero, so zero (padding, pruned weights, ReLU's floor) is exact.
  const lo = new Float64Array(k);
  const hi = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const g = groups[i];
    if (values[i] < lo[g]) lo[g] = values[i];
    if (values[i] > hi[g]) hi[g] = values[i];
  }
  const levels = 2 ** scheme.bits - 1;
  const half = 2 ** (scheme.bits - 1);
  const qmaxSym = half - 1;
  const scales = new Uint16Array(k);
  const scale = new Float64Array(k);
  const zeros = scheme.symmetric ? null : new Uint8Array(k);
  for (let g = 0; g < k; g++) {
    const exact = scheme.symmetric ? Math.max(-lo[g], hi[g]) / qmaxSym : (hi[g] - lo[g]) / levels;
    scales[g] = toHalfBitsCeil(exact);
    scale[g] = fromHalfBits(scales[g]);
    if (!Number.isFinite(scale[g]))
      throw new QuantizeInputError(`group ${g} spans ${lo[g]}..${hi[g]}: its scale ${exact} exceeds fp16`);
    if (zeros) zeros[g] = scale[g] === 0 ? 0 : Math.min(levels, Math.max(0, Math.round(-lo[g] / scale[g])));
  }
  const codes = new Uint8Array(scheme.bits === 8 ? n : Math.ceil(n / 2));
  for (let i = 0; i < n; i++) {
    const g = groups[i];
    const s = scale[g];
    const offset = zeros ? zeros[g] : half;
    const lowest = zeros ? 0 : 1; // symmetric codes stop at -(2^(b-1) - 1): the range is balanced
    const q = s === 0 ? offset : Math.min(levels, Math.max(lowest, Math.round(values[i] / s) + offset));
    if (scheme.bits === 8) codes[i] = q;
    else codes[i >> 1] |= i & 1 ? q << 4 : q;
  }
  return { shape: [...shape], scheme, codes, scales, zeros };
}

let halves: Float32Array | undefined;

/** Every binary16 value as float32, built once (256 KiB): a lookup per weight instead of a decode. */
function halfTable(): Float32Array {
  halves ??= Float32Array.from({ length: 0x10000 }, (_, h) => fromHalfBits(h));
  return halves;
}

/** The float32 weights a quantized tensor stands for: (q - offset) · scale per element. */
export function dequantizeTensor(t: QuantizedTensor): Float32Array {
  const n = elementCount(t.shape);
  const out = new Float32Array(n);
  if (t.scheme.kind === 'float16') {
    const view = new DataView(t.codes.buffer, t.codes.byteOffset, t.codes.byteLength);
    const table = halfTable();
    for (let i = 0; i < n; i++) out[i] = table[view.getUint16(i * 2, true)];
    return out;
  }
  const groups = elementGroups(t.shape, t.scheme);
  const scale = Float64Array.from(t.scales, fromHalfBits);
  const half = 2 ** (t.scheme.bits - 1);
  for (let i = 0; i < n; i++) {
    const g = groups[i];
    const q = t.scheme.bits === 8 ? t.codes[i] : (t.codes[i >> 1] >> ((i & 1) * 4)) & 0xf;
    out[i] = (q - (t.zeros ? t.zeros[g] : half)) * scale[g];
  }
  return out;
}

/** Scale of every group as a number (the stored fp16 value). */
export function groupScales(t: QuantizedTensor): Float64Array {
  return Float64Array.from(t.scales, fromHalfBits);
}

/** Bytes the tensor takes stored: codes, fp16 scales and zero points. */
export function storedBytes(t: QuantizedTensor): number {
  return t.codes.byteLength + t.scales.byteLength + (t.zeros?.byteLength ?? 0);
}
