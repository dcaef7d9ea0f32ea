/**
 * A deterministic local text embedder (Q21 semantic search without a model download; Q25 embedding
 * versions). It follows scikit-learn's HashingVectorizer followed by L2 normalization: word unigrams
 * plus character n-grams inside word boundaries (`analyzer='char_wb'`), each hashed into one of `dim`
 * buckets with a signed hash (`alternate_sign=True`, so collisions cancel on average instead of piling
 * up), counts summed, then the vector scaled to unit length. Optionally the features are hashed into a
 * larger space first and mapped down by a seeded random +-1 projection (Achlioptas 2003), which keeps
 * dot products in expectation (Johnson-Lindenstrauss) with fewer collisions than hashing into `dim`.
 *
 * The embedder's identity is its `version` string (the given version, plus the seed when one is
 * given): it seeds the hash, so two identities put the same n-gram in unrelated buckets and their
 * vectors are not comparable (cosine near 0 for the same text). Every vector can be carried with its
 * version (`embedVersioned`), and `versionedCosine` refuses to compare vectors of two versions: the
 * failure Q25 calls embedding drift, made loud.
 */
import { FNV32_OFFSET, fmix32, fnv1a32 } from '@mlops-lab/datagen';
import { RetrieverError } from './errors.ts';
import type { Vector } from './types.ts';

export interface EmbedderOptions {
  /** Output dimension (1..65536). */
  dim: number;
  /** Model version label, stored with every vector (Q25). */
  version: string;
  /** Changes the hash (and projection); becomes part of the version label. */
  seed?: number;
  /** Hash into this many buckets, then randomly project down to `dim` (default: hash straight into `dim`). */
  hashDim?: number;
  /** Character n-gram sizes, inclusive (default [3, 4]). */
  ngramRange?: [number, number];
}

export interface VersionedVector {
  version: string;
  vector: Float32Array;
}

export interface Embedder {
  /** The identity of the vector space: `<version>` or `<version>+s<seed>`. */
  readonly version: string;
  readonly dim: number;
  /** Unit-length vector of `dim` floats. Throws RetrieverError for text without letters or digits. */
  embed(text: string): Float32Array;
  embedBatch(texts: readonly string[]): Float32Array[];
  embedVersioned(text: string): VersionedVector;
}

const WORD = /[\p{L}\p{N}]+/gu;

/** FNV-1a over a string's UTF-16 code units, started from `seed`, then the murmur3 finalizer. */
function hashString(s: string, from: number, to: number, seed: number): number {
  return fmix32(fnv1a32(s, seed ^ FNV32_OFFSET, from, to));
}

function checkInt(name: string, value: number, lo: number, hi: number): void {
  if (!Number.isSafeInteger(value) || value < lo || value > hi) {
    throw new RetrieverError(`createEmbedder: ${name} must be an integer in [${lo}, ${hi}], got ${value}`);
  }
}

export function createEmbedder(options: EmbedderOptions): Embedder {
  const { dim, seed } = options;
  checkInt('dim', dim, 1, 65_536);
  const hashDim = options.hashDim ?? dim;
  checkInt('hashDim', hashDim, 1, 1 << 24);
  const [nMin, nMax] = options.ngramRange ?? [3, 4];
  checkInt('ngramRange[0]', nMin, 1, 16);
  checkInt('ngramRange[1]', nMax, nMin, 16);
  if (typeof options.version !== 'string' || options.version.trim() === '') {
    throw new RetrieverError('createEmbedder: version must be a non-empty string (it labels every vector)');
  }
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    throw new RetrieverError(`createEmbedder: seed must be a safe integer, got ${seed}`);
  }
  const version = seed === undefined ? options.version : `${options.version}+s${seed}`;
  // Everything below is derived from the label, so equal labels mean equal vector spaces.
  const base = hashString(version, 0, version.length, 0x5eed);
  const wordSeed = fmix32(base ^ 0x776f7264);
  const charSeed = fmix32(base ^ 0x63686172);
  const projSeed = fmix32(base ^ 0x70726f6a);
  const project = hashDim !== dim;
  const hashed = new Float64Array(hashDim);
  // Buckets touched by the current text: a text touches a few hundred of possibly millions.
  const touched: number[] = [];

  function add(h: number): void {
    // Low bits pick the bucket, the top bit the sign: independent bits of one well-mixed hash.
    const b = h % hashDim;
    if (hashed[b] === 0) touched.push(b);
    hashed[b] += h >>> 31 ? -1 : 1;
  }

  function embed(text: string): Float32Array {
    if (typeof text !== 'string') throw new RetrieverError('embed: text must be a string');
    const words = text.toLowerCase().match(WORD);
    if (words === null) throw new RetrieverError('embed: text has no letters or digits, nothing to embed');
    touched.length = 0;
    for (const w of words) {
      add(hashString(w, 0, w.length, wordSeed));
      // char_wb: n-grams of " word ", so prefixes and suffixes are marked; a short word counts once.
      const p = ` ${w} `;
      for (let n = nMin; n <= nMax; n++) {
        if (p.length <= n) {
          add(hashString(p, 0, p.length, charSeed + n));
          continue;
        }
        for (let i = 0; i + n <= p.length; i++) add(hashString(p, i, i + n, charSeed + n));
      }
    }
    const out = new Float32Array(dim);
    if (project) {
      for (const b of touched) {
        const x = hashed[b];
        hashed[b] = 0; // also resets the buffer; a bucket listed twice (cancelled, re-hit) adds 0
        if (x === 0) continue;
        // Row b of the projection: dim random signs, 32 per hash, regenerated instead of stored.
        let bits = 0;
        for (let j = 0; j < dim; j++) {
          if ((j & 31) === 0)
            bits = fmix32(projSeed ^ Math.imul(b, 0x9e3779b1) ^ Math.imul(j >>> 5, 0x85ebca77));
          out[j] += (bits >>> (j & 31)) & 1 ? x : -x;
        }
      }
    } else {
      for (const b of touched) {
        out[b] += hashed[b]; // += : a bucket listed twice adds 0 the second time
        hashed[b] = 0;
      }
    }
    let norm = 0;
    for (let j = 0; j < dim; j++) norm += out[j] * out[j];
    // Every feature cancelled (possible but rare for tiny dim): a zero vector is no direction at all.
    if (norm === 0) throw new RetrieverError(`embed: features cancelled out at dim ${dim}; use a larger dim`);
    const inv = 1 / Math.sqrt(norm);
    for (let j = 0; j < dim; j++) out[j] *= inv;
    return out;
  }

  return {
    version,
    dim,
    embed,
    embedBatch: (texts) => texts.map(embed),
    embedVersioned: (text) => ({ version, vector: embed(text) }),
  };
}

/** Cosine similarity of two vectors of the same dimension (a RetrieverError otherwise). */
export function cosineSimilarity(a: Vector, b: Vector): number {
  if (a.length !== b.length) {
    throw new RetrieverError(`cosineSimilarity: dimensions differ (${a.length} vs ${b.length})`);
  }
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Cosine of two versioned vectors; refuses vectors from different embedding versions (Q25). */
export function versionedCosine(a: VersionedVector, b: VersionedVector): number {
  if (a.version !== b.version) {
    throw new RetrieverError(
      `versionedCosine: vectors come from embedding versions "${a.version}" and "${b.version}" and are ` +
        'not comparable; re-embed one side with the other version',
    );
  }
  return cosineSimilarity(a.vector, b.vector);
}
