/**
 * Input checks shared by the three retrievers (Q21, Q22): every check runs before the index is
 * touched, so a refused call changes nothing and the message names the argument and the fix.
 * Why each exists: hnswlib copies numbers into float32 without looking (NaN poisons the graph's
 * distances for good), pgvector rejects NaN only at INSERT time and with a server-side message, and
 * hnswlib throws on k > maxElements with a message about maxElements rather than about k.
 */
import { RetrieverError } from './errors.ts';
import type { Metadata, Space, Vector } from './types.ts';

export const SPACES: readonly Space[] = ['cosine', 'l2', 'ip'];

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
    out[i] = x;
    sq += x * x;
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
}

export function checkMetadata(metadata: Metadata | undefined): Metadata {
  if (metadata === undefined) return {};
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new RetrieverError('metadata must be a plain object of scalars');
  }
  for (const [key, value] of Object.entries(metadata)) {
    const t = typeof value;
    if (value !== null && t !== 'string' && t !== 'boolean' && !(t === 'number' && Number.isFinite(value))) {
      throw new RetrieverError(`metadata.${key} must be a string, finite number, boolean or null`);
    }
  }
  return { ...metadata };
}

/** Calls a user filter; a throw becomes a RetrieverError naming the item it failed on. */
export function runFilter(
  filter: (metadata: Metadata, id: string) => boolean,
  metadata: Metadata,
  id: string,
): boolean {
  try {
    return filter(metadata, id) === true;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new RetrieverError(`filter threw on id ${JSON.stringify(id)}: ${reason}`, { cause });
  }
}
