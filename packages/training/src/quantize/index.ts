/**
 * Weight quantization of TF.js artifacts (Q33): fp16, int8 / int4 per tensor, per channel or per
 * group, symmetric or asymmetric; the quantized artifact format and its registration. Weights are
 * dequantized at load (TF.js has no integer kernels): smaller files, the same fp32 compute.
 */
export {
  DEFAULT_MIN_ELEMENTS,
  fp32Weights,
  layersModelFromFiles,
  QUANT_FORMAT,
  type QuantizeResult,
  type QuantManifest,
  quantizeArtifact,
  type TensorEntry,
  type TensorReport,
  weightsOf,
} from './artifact.ts';
export { fromHalfBits, toHalfBits, toHalfBitsCeil } from './float16.ts';
export { type QuantizedVersion, registerQuantized } from './register.ts';
export {
  checkScheme,
  describeScheme,
  type Fp16Scheme,
  GROUP_SIZE_LIMITS,
  type Granularity,
  type IntScheme,
  parseScheme,
  QuantizeInputError,
  type Scheme,
  schemeName,
} from './scheme.ts';
export {
  dequantizeTensor,
  elementCount,
  elementGroups,
  groupCount,
  groupScales,
  type QuantizedTensor,
  quantizeTensor,
  storedBytes,
} from './tensor.ts';
