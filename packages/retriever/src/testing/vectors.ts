/**
 * Seeded vector generators for the retriever tests and benchmark (Q21): clustered data is what
 * embeddings look like (topics), and it is harder for HNSW than uniform noise at the same size
 * because many near-ties sit inside one cluster. Same seed, same vectors (@mlops-lab/datagen).
 */
import { createRng, mixSeed } from '@mlops-lab/datagen';

export interface ClusterSpec {
  n: number;
  dim: number;
  /** Number of gaussian clusters; centres are N(0, 1) per component. */
  clusters?: number;
  /** Standard deviation of points around their centre, per component. */
  spread?: number;
  seed?: number;
}

/** Points and queries drawn from the same clusters (queries use their own stream). */
export function clusteredVectors(spec: ClusterSpec & { queries?: number }): {
  vectors: Float32Array[];
  queries: Float32Array[];
} {
  const { n, dim, clusters = 50, spread = 0.35, seed = 1, queries = 0 } = spec;
  const centreRng = createRng(mixSeed(seed, 'centres'));
  const centres: Float32Array[] = [];
  for (let c = 0; c < clusters; c++) {
    const v = new Float32Array(dim);
    for (let i = 0; i < dim; i++) v[i] = centreRng.normal();
    centres.push(v);
  }
  const draw = (count: number, stream: string): Float32Array[] => {
    const rng = createRng(mixSeed(seed, stream));
    const out: Float32Array[] = [];
    for (let j = 0; j < count; j++) {
      const centre = centres[rng.int(0, clusters - 1)];
      const v = new Float32Array(dim);
      for (let i = 0; i < dim; i++) v[i] = centre[i] + spread * rng.normal();
      out.push(v);
    }
    return out;
  };
  return { vectors: draw(n, 'points'), queries: draw(queries, 'queries') };
}

/** recall@k of `got` against the true top-k ids (ann-benchmarks' definition: |got ∩ truth| / k). */
export function recallAtK(got: readonly string[], truth: readonly string[], k: number): number {
  const want = new Set(truth.slice(0, k));
  let hit = 0;
  for (const id of got.slice(0, k)) if (want.has(id)) hit++;
  return hit / Math.min(k, want.size || k);
}
