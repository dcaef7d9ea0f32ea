/**
 * The quantized artifact and its way back to a TF.js model (Q33, Q18). A quantized artifact keeps the
 * fp32 artifact's `model.json` (topology and the float32 weight specs TF.js rebuilds), its
 * `preprocessing.json`, and its `metadata.json` with a `quantization` block added; `weights.bin` is
 * replaced by `weights.quant.bin` (each tensor's codes, fp16 scales and zero points, or its float32
 * bytes when the tensor is kept) described by `quantization.json`. The registry hashes these files
 * like any other, so a changed code byte is refused as tampered before anything is decoded.
 *
 * What this does and does not speed up: TF.js has no int8 or int4 kernels (its matMul runs on
 * float32), so `weightsOf` dequantizes every tensor to float32 at load and the model in memory, and
 * every inference, is exactly as large and as fast as fp32. What shrinks is the file: disk, download,
 * registry storage, cold-start transfer. tfjs-converter's own `--quantize_uint8 / float16` works the
 * same way (per-tensor affine, dequantized in tf.io.decodeWeights). Integer compute needs a runtime
 * with int8 kernels (ONNX Runtime, TensorRT, llama.cpp, bitsandbytes); it is not here.
 *
 * Which tensors: kernels (rank 2 or more) with at least `minElements` values (default 64). Biases
 * (rank 1: a scale per channel would be a scale per value) and tiny kernels stay float32, as in
 * TFLite's weight-only quantizer (`weights_min_num_elements`, 1024 by default there; lower here so the
 * payments model's 144-weight hidden kernel is quantized and its 8-weight output kernel is not) and as
 * GPTQ / AWQ quantize only the Linear layers' weights.
 */
import { RegistryError } from '@mlops-lab/registry';
import type { LayersModel } from '../tf-model.ts';
import type { Tf } from '../tfjs.ts';
import { checkScheme, parseScheme, QuantizeInputError, type Scheme, schemeName } from './scheme.ts';
import {
  dequantizeTensor,
  elementCount,
  elementGroups,
  groupCount,
  groupScales,
  type QuantizedTensor,
  quantizeTensor,
  storedBytes,
} from './tensor.ts';

export const QUANT_FORMAT = 'mlops-lab-quant/1';
export const DEFAULT_MIN_ELEMENTS = 64;

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: unknown;
}

/** One entry of quantization.json: where a tensor's bytes are in weights.quant.bin and how to read them. */
export interface TensorEntry {
  name: string;
  shape: number[];
  /** A scheme name, or `float32` for a tensor kept as it was. */
  stored: string;
  offset: number;
  codesBytes: number;
  scales: number;
  zeros: number;
}

export interface QuantManifest {
  format: typeof QUANT_FORMAT;
  scheme: string;
  minElements: number;
  tensors: TensorEntry[];
}

/** What quantizing one tensor did, measured on its own weights. */
export interface TensorReport {
  name: string;
  elements: number;
  stored: string;
  bytes: number;
  /** Largest |w - dequantized w|. */
  maxAbsError: number;
  /** Largest |w - dequantized w| / (its group's scale / 2): at most 1 for the integer schemes. */
  maxErrorOverHalfScale: number | null;
}

export interface QuantizeResult {
  files: Record<string, Uint8Array>;
  manifest: QuantManifest;
  report: TensorReport[];
  /** float32 bytes of the weights before, stored bytes after (weights file only). */
  fp32WeightBytes: number;
  weightBytes: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

function json<T>(files: Record<string, Uint8Array>, name: string): T {
  if (!files[name]) throw new QuantizeInputError(`the artifact has no ${name}`);
  return JSON.parse(dec.decode(files[name])) as T;
}

/** The fp32 weight tensors of an artifact in weightSpecs order (refuses anything but plain float32). */
export function fp32Weights(files: Record<string, Uint8Array>): { spec: WeightSpec; values: Float32Array }[] {
  if (files['quantization.json']) throw new QuantizeInputError('the artifact is already quantized');
  const { weightSpecs } = json<{ weightSpecs: WeightSpec[] }>(files, 'model.json');
  const w = files['weights.bin'];
  if (!w) throw new QuantizeInputError('the artifact has no weights.bin');
  let offset = 0;
  const out = weightSpecs.map((spec) => {
    if (spec.dtype !== 'float32' || spec.quantization)
      throw new QuantizeInputError(
        `weight ${spec.name} is ${spec.dtype}${spec.quantization ? ' (quantized)' : ''}, not float32`,
      );
    const bytes = elementCount(spec.shape) * 4;
    // A copy: weights.bin's offset in its buffer need not be 4-aligned.
    const values = new Float32Array(w.slice(offset, offset + bytes).buffer);
    offset += bytes;
    return { spec, values };
  });
  if (offset !== w.byteLength)
    throw new QuantizeInputError(`weights.bin holds ${w.byteLength} bytes, the specs ${offset}`);
  return out;
}

function errorOf(
  values: Float32Array,
  q: QuantizedTensor | null,
): Pick<TensorReport, 'maxAbsError' | 'maxErrorOverHalfScale'> {
  if (!q) return { maxAbsError: 0, maxErrorOverHalfScale: null };
  const back = dequantizeTensor(q);
  const scales = q.scheme.kind === 'int' ? groupScales(q) : null;
  const groups = q.scheme.kind === 'int' ? elementGroups(q.shape, q.scheme) : null;
  let maxAbs = 0;
  let maxRel = 0;
  for (let i = 0; i < values.length; i++) {
    const e = Math.abs(values[i] - back[i]);
    maxAbs = Math.max(maxAbs, e);
    if (scales && groups) {
      const s = scales[groups[i]];
      maxRel = Math.max(maxRel, s === 0 ? (e === 0 ? 0 : Number.POSITIVE_INFINITY) : e / (s / 2));
    }
  }
  return { maxAbsError: maxAbs, maxErrorOverHalfScale: scales ? maxRel : null };
}

/**
 * Quantizes an fp32 artifact's weights (files as `loadArtifact` returns them) into a quantized
 * artifact's files. `from` (the source version) is recorded in metadata.json.
 */
export function quantizeArtifact(
  files: Record<string, Uint8Array>,
  scheme: Scheme | string,
  options: { minElements?: number; from?: { name: string; version: number; hash: string } } = {},
): QuantizeResult {
  const s = typeof scheme === 'string' ? parseScheme(scheme) : checkScheme(scheme);
  const minElements = options.minElements ?? DEFAULT_MIN_ELEMENTS;
  if (!(Number.isSafeInteger(minElements) && minElements >= 1))
    throw new QuantizeInputError(`minElements must be an integer >= 1, got ${minElements}`);
  const tensors = fp32Weights(files);
  const parts: Uint8Array[] = [];
  const entries: TensorEntry[] = [];
  const report: TensorReport[] = [];
  let offset = 0;
  for (const { spec, values } of tensors) {
    const q =
      spec.shape.length >= 2 && values.length >= minElements ? quantizeTensor(values, spec.shape, s) : null;
    const payload = q ? serialize(q) : new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    entries.push({
      name: spec.name,
      shape: spec.shape,
      stored: q ? schemeName(s) : 'float32',
      offset,
      codesBytes: q ? q.codes.byteLength : payload.byteLength,
      scales: q ? q.scales.length : 0,
      zeros: q?.zeros?.length ?? 0,
    });
    report.push({
      name: spec.name,
      elements: values.length,
      stored: q ? schemeName(s) : 'float32',
      bytes: payload.byteLength,
      ...errorOf(values, q),
    });
    parts.push(payload);
    offset += payload.byteLength;
  }
  const weights = new Uint8Array(offset);
  let at = 0;
  for (const p of parts) {
    weights.set(p, at);
    at += p.byteLength;
  }
  const manifest: QuantManifest = {
    format: QUANT_FORMAT,
    scheme: schemeName(s),
    minElements,
    tensors: entries,
  };
  const fp32WeightBytes = tensors.reduce((a, t) => a + t.values.byteLength, 0);
  const metadata = {
    ...json<Record<string, unknown>>(files, 'metadata.json'),
    quantization: {
      scheme: schemeName(s),
      from: options.from ?? null,
      minElements,
      quantizedTensors: entries.filter((e) => e.stored !== 'float32').map((e) => e.name),
      fp32WeightBytes,
      weightBytes: offset,
      dequantizedAtLoad: true,
    },
  };
  const { 'weights.bin': _fp32, ...rest } = files;
  return {
    files: {
      ...rest,
      'metadata.json': enc.encode(JSON.stringify(metadata)),
      'quantization.json': enc.encode(JSON.stringify(manifest)),
      'weights.quant.bin': weights,
    },
    manifest,
    report,
    fp32WeightBytes,
    weightBytes: offset,
  };
}

/** codes, then the fp16 scales (little-endian), then the zero points. */
function serialize(q: QuantizedTensor): Uint8Array {
  const out = new Uint8Array(storedBytes(q));
  out.set(q.codes, 0);
  const view = new DataView(out.buffer);
  for (let i = 0; i < q.scales.length; i++) view.setUint16(q.codes.byteLength + i * 2, q.scales[i], true);
  if (q.zeros) out.set(q.zeros, q.codes.byteLength + q.scales.byteLength);
  return out;
}

function deserialize(e: TensorEntry, bytes: Uint8Array, label: string): QuantizedTensor {
  const scheme = parseScheme(e.stored);
  const n = elementCount(e.shape);
  const codes = scheme.kind === 'float16' ? n * 2 : scheme.bits === 8 ? n : Math.ceil(n / 2);
  const groups = groupCount(e.shape, scheme);
  const zeros = scheme.kind === 'int' && !scheme.symmetric ? groups : 0;
  if (e.codesBytes !== codes || e.scales !== groups || e.zeros !== zeros)
    throw new RegistryError(
      'bad-input',
      `artifact of ${label}: tensor ${e.name} does not match ${e.stored} ${JSON.stringify(e.shape)}`,
    );
  const at = bytes.byteOffset + e.offset;
  const view = new DataView(bytes.buffer, at + codes, groups * 2);
  return {
    shape: e.shape,
    scheme,
    codes: bytes.subarray(e.offset, e.offset + codes),
    scales: Uint16Array.from({ length: groups }, (_, i) => view.getUint16(i * 2, true)),
    zeros: zeros ? bytes.subarray(e.offset + codes + groups * 2, e.offset + codes + groups * 3) : null,
  };
}

/**
 * The float32 weight bytes TF.js loads, in weightSpecs order: an fp32 artifact's weights.bin as it
 * is, or a quantized artifact's tensors dequantized here (the only place a quantized model turns
 * back into floats). `label` names the model in errors.
 */
export function weightsOf(files: Record<string, Uint8Array>, label: string): ArrayBuffer {
  const fp32 = files['weights.bin'];
  const manifestBytes = files['quantization.json'];
  if (fp32 && !manifestBytes)
    return fp32.buffer.slice(fp32.byteOffset, fp32.byteOffset + fp32.byteLength) as ArrayBuffer;
  if (!manifestBytes) throw new RegistryError('bad-input', `artifact of ${label} has no weights.bin`);
  if (fp32)
    throw new RegistryError('bad-input', `artifact of ${label} has both weights.bin and quantization.json`);
  const manifest = JSON.parse(dec.decode(manifestBytes)) as QuantManifest;
  const bytes = files['weights.quant.bin'];
  if (manifest.format !== QUANT_FORMAT || !bytes)
    throw new RegistryError(
      'bad-input',
      `artifact of ${label}: quantization.json is not ${QUANT_FORMAT} with weights.quant.bin`,
    );
  // TF.js assigns weights by position: the manifest must list model.json's tensors in its order.
  const specs = files['model.json']
    ? (JSON.parse(dec.decode(files['model.json'])).weightSpecs as WeightSpec[])
    : [];
  const key = (x: { name: string; shape: number[] }) => `${x.name}${JSON.stringify(x.shape)}`;
  if (specs.map(key).join() !== manifest.tensors.map(key).join())
    throw new RegistryError(
      'bad-input',
      `artifact of ${label}: quantization.json does not list model.json's weights in order`,
    );
  const total = manifest.tensors.reduce((a, e) => a + elementCount(e.shape), 0);
  const out = new Float32Array(total);
  let at = 0;
  for (const e of manifest.tensors) {
    const n = elementCount(e.shape);
    if (e.stored === 'float32') {
      out.set(new Float32Array(bytes.slice(e.offset, e.offset + n * 4).buffer), at);
    } else out.set(dequantizeTensor(deserialize(e, bytes, label)), at);
    at += n;
  }
  return out.buffer;
}

/** Rebuilds the TF.js LayersModel of an artifact (fp32 or quantized) from its files, in memory. */
export async function layersModelFromFiles(
  tf: Tf,
  files: Record<string, Uint8Array>,
  label: string,
): Promise<LayersModel> {
  if (!files['model.json']) throw new RegistryError('bad-input', `artifact of ${label} has no model.json`);
  const { modelTopology, weightSpecs } = JSON.parse(dec.decode(files['model.json']));
  const weightData = weightsOf(files, label);
  return (await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology, weightSpecs, weightData }),
  )) as unknown as LayersModel;
}
