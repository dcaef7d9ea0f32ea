/**
 * The vector-search lab's data (Q21, Q22): seeded clustered vectors, the shape embeddings have
 * (topics), with a `tenant` label per point for filtered search. Clustered data is harder for HNSW
 * than uniform noise at the same size: many near-ties sit inside one cluster. The same generator
 * idea as packages/retriever/src/testing/vectors.ts, plus metadata and per-point norms.
 */
import { createRng, mixSeed } from '@mlops-lab/datagen';

export const DIM = 64;
export const K = 10;
/** The selective filter: this share of points belongs to tenant `rare`. */
export const RARE_SHARE = 0.004;

export const SIZES = { quick: [1_000, 3_000, 8_000], full: [1_000, 10_000, 50_000, 200_000] } as const;
export const QUERIES = { quick: 100, full: 300 } as const;

export interface Point {
  id: string;
  /** The direction the model meant: what cosine compares. */
  vector: Float32Array;
  tenant: 'rare' | 'common';
  /**
   * A length an unnormalized pipeline leaves on the vector (e.g. an embedding model that does not
   * L2-normalize, or a sum of token vectors): log-normal, so some points are 3x longer than others.
   */
  norm: number;
}

export interface World {
  points: Point[];
  queries: Float32Array[];
}

/** `n` points and `queries` queries drawn from the same 40 gaussian clusters. */
export function buildWorld(seed: number, n: number, queries: number): World {
  const centreRng = createRng(mixSeed(seed, 'vector-search', 'centres'));
  const centres: Float32Array[] = [];
  for (let c = 0; c < 40; c++) {
    const v = new Float32Array(DIM);
    for (let i = 0; i < DIM; i++) v[i] = centreRng.normal();
    centres.push(v);
  }
  const draw = (rng: ReturnType<typeof createRng>): Float32Array => {
    const centre = centres[rng.int(0, centres.length - 1)];
    const v = new Float32Array(DIM);
    for (let i = 0; i < DIM; i++) v[i] = centre[i] + 0.35 * rng.normal();
    return v;
  };
  // Separate streams: the first 1k points are the same at every size, and queries never shift them.
  const pointRng = createRng(mixSeed(seed, 'vector-search', 'points'));
  const points: Point[] = [];
  for (let j = 0; j < n; j++) {
    const vector = draw(pointRng);
    const tenant = pointRng.next() < RARE_SHARE ? 'rare' : 'common';
    points.push({ id: `v${j}`, vector, tenant, norm: Math.exp(0.6 * pointRng.normal()) });
  }
  const queryRng = createRng(mixSeed(seed, 'vector-search', 'queries'));
  return { points, queries: Array.from({ length: queries }, () => draw(queryRng)) };
}

/** The vector as stored: its direction, or (unnormalized-cosine) its direction times its norm. */
export function stored(p: Point, unnormalized: boolean): Float32Array {
  if (!unnormalized) return p.vector;
  let len = 0;
  for (const x of p.vector) len += x * x;
  const scale = p.norm / Math.sqrt(len);
  return p.vector.map((x) => x * scale);
}
