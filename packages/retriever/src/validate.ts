/**
 * Input checks shared by the three retrievers (Q21, Q22): every check runs before the index is
 * touched, so a refused call changes nothing and the message names the argument and the fix.
 * Why each exists: hnswlib copies numbers into float32 without looking (NaN poisons the graph's
 * distances for good, 1e39 becomes Infinity), pgvector rejects NaN and out-of-range components only
 * at INSERT time and with a server-side message, and hnswlib throws on k > maxElements with a message
 * about maxElements rather than about k. Strings (ids, metadata keys and values) must be text that
 * Postgres can hold: it refuses U+0000 in text and jsonb, and stores a lone UTF-16 surrogate as U+FFFD,
 * so such an id would come back from pgvector as another id than the one added.
 */
import { RetrieverError } from './errors.ts';
import type { Metadata, Scalar, Space, Vector } from './types.ts';

export const SPACES: readonly Space[] = ['cosine', 'l2', 'ip'];

/** The largest finite float32: every implementation stores components as float32. */
const FLOAT32_MAX = 3.4028234663852886e38;

export function checkSpaceAndDim(space: Space, dim: number): void {
  if (!SPACES.includes(space))
    throw new RetrieverError(`space must be one of ${SPACES.join(', ')}, got ${space}`);
  if (!Number.isSafeInteger(dim) || dim <= 0)
    throw new RetrieverError(`dim must be a positive integer, got ${dim}`);
}

/** Checks length and finiteness (and, for cosine, a non-zero length); returns a plain number[] copy. */
export function checkVector(vector: Vector, dim: number, space: Space, what = 'vector'): number[] {
  if (!Array.isArray(vector) && !(vector instanceof Float32Array)) {
    throw new RetrieverError(`${what} must be a number[] or Float32Array`);
  }
  if (vector.length !== dim) {
    throw new RetrieverError(`${what} has dimension ${vector.length}, this index has dimension ${dim}`);
  }
  const out = new Array<number>(dim);
  let sq = 0;
  for (let i = 0; i < dim; i++) {
    const x = vector[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new RetrieverError(`${what}[${i}] is ${String(x)}: every component must be a finite number`);
    }
    if (Math.abs(x) > FLOAT32_MAX) {
      throw new RetrieverError(`${what}[${i}] is ${x}: outside the float32 range every index stores`);
    }
    out[i] = x;
    const stored = Math.fround(x); // what the index will hold: a value below float32's range is 0
    sq += stored * stored;
  }
  if (space === 'cosine' && sq === 0) {
    throw new RetrieverError(`${what} is all zeros: cosine distance needs a direction`);
  }
  return out;
}

export function checkK(k: number): void {
  if (!Number.isSafeInteger(k) || k <= 0) throw new RetrieverError(`k must be a positive integer, got ${k}`);
}

export function checkId(id: string): void {
  if (typeof id !== 'string' || id.length === 0) throw new RetrieverError('id must be a non-empty string');
  checkText(id, 'id');
}

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** NUL characters or lone surrogates: text Postgres refuses or rewrites (see the file comment). */
export function checkText(text: string, what: string): void {
  if (text.includes('\u0000') || LONE_SURROGATE.test(text)) {
    throw new RetrieverError(`${what} holds U+0000 or a lone surrogate: not text Postgres can store`);
  }
}

/** A metadata value or a filter operand: a string, a finite number, a boolean or null. */
export function isScalar(value: unknown): value is Scalar {
  const t = typeof value;
  return value === null || t === 'string' || t === 'boolean' || (t === 'number' && Number.isFinite(value));
}

export function checkMetadata(metadata: Metadata | undefined): Metadata {
  if (metadata === undefined) return {};
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new RetrieverError('metadata must be a plain object of scalars');
  }
  for (const [key, value] of Object.entries(metadata)) {
    checkText(key, 'a metadata key');
    if (!isScalar(value)) {
      throw new RetrieverError(`metadata.${key} must be a string, finite number, boolean or null`);
    }
    if (typeof value === 'string') checkText(value, `metadata.${key}`);
  }
  return { ...metadata };
}
