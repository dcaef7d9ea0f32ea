/**
 * ExactRetriever (Q21): a brute-force scan over one growing Float32Array, the baseline every
 * approximate index is measured against and the ground truth for recall@k (ann-benchmarks computes
 * recall against exactly this). For a few thousand vectors this is all a system needs (Q21); its cost
 * is O(n * dim) per query, which is what HNSW avoids.
 *
 * Layout: row r lives at store[r * dim .. (r + 1) * dim]; removal moves the last row into the hole so
 * rows stay dense. Cosine rows are stored normalized (as hnswlib does), so a query costs one dot
 * product per row. Top-k uses a bounded max-heap: O(n log k), not a sort of all n distances. A filter
 * (filter.ts) is checked once and evaluated per row before its distance is computed.
 */
import { normalize } from './distance.ts';
import { RetrieverError } from './errors.ts';
import { compileFilter, matcher } from './filter.ts';
import type { Filter, Metadata, Retriever, SearchHit, Space, Vector } from './types.ts';
import { checkId, checkK, checkMetadata, checkSpaceAndDim, checkVector } from './validate.ts';

export interface ExactOptions {
  dim: number;
  space: Space;
}

export class ExactRetriever implements Retriever {
  readonly dim: number;
  readonly space: Space;
  private store: Float32Array;
  private ids: string[] = [];
  private metas: Metadata[] = [];
  private rowOf = new Map<string, number>();

  constructor({ dim, space }: ExactOptions) {
    checkSpaceAndDim(space, dim);
    this.dim = dim;
    this.space = space;
    this.store = new Float32Array(dim * 64);
  }

  add(id: string, vector: Vector, metadata?: Metadata): void {
    checkId(id);
    const v = checkVector(vector, this.dim, this.space);
    const meta = checkMetadata(metadata);
    const row = this.space === 'cosine' ? normalize(v) : Float32Array.from(v);
    let r = this.rowOf.get(id);
    if (r === undefined) {
      r = this.ids.length;
      if ((r + 1) * this.dim > this.store.length) {
        const bigger = new Float32Array(this.store.length * 2);
        bigger.set(this.store);
        this.store = bigger;
      }
      this.ids.push(id);
      this.metas.push(meta);
      this.rowOf.set(id, r);
    } else {
      this.metas[r] = meta; // same id again: an update, like an upsert
    }
    this.store.set(row, r * this.dim);
  }

  remove(id: string): void {
    const r = this.rowOf.get(id);
    if (r === undefined) throw new RetrieverError(`remove: unknown id ${JSON.stringify(id)}`);
    const last = this.ids.length - 1;
    if (r !== last) {
      this.store.copyWithin(r * this.dim, last * this.dim, (last + 1) * this.dim);
      this.ids[r] = this.ids[last];
      this.metas[r] = this.metas[last];
      this.rowOf.set(this.ids[r], r);
    }
    this.ids.pop();
    this.metas.pop();
    this.rowOf.delete(id);
  }

  search(vector: Vector, k: number, filter?: Filter): SearchHit[] {
    checkK(k);
    const raw = checkVector(vector, this.dim, this.space, 'query');
    const compiled = compileFilter(filter);
    const keep = compiled && matcher(compiled);
    const q = this.space === 'cosine' ? normalize(raw) : Float32Array.from(raw);
    const { dim, store } = this;
    const l2 = this.space === 'l2';
    const heap = new TopK(k);
    for (let r = 0; r < this.ids.length; r++) {
      if (keep && !keep(this.metas[r])) continue;
      // Inlined over the flat store (no subarray per row): this loop is the whole cost of the baseline.
      const base = r * dim;
      let s = 0;
      if (l2) {
        for (let i = 0; i < dim; i++) {
          const d = q[i] - store[base + i];
          s += d * d;
        }
      } else {
        for (let i = 0; i < dim; i++) s += q[i] * store[base + i];
      }
      heap.push(l2 ? s : this.space === 'ip' ? -s : 1 - s, r);
    }
    return heap.sorted().map(([distance, r]) => ({ id: this.ids[r], distance }));
  }

  size(): number {
    return this.ids.length;
  }

  /** The stored metadata of an id (a copy), or undefined. */
  metadata(id: string): Metadata | undefined {
    const r = this.rowOf.get(id);
    return r === undefined ? undefined : { ...this.metas[r] };
  }
}

/** Bounded max-heap on distance: keeps the k smallest seen; ties broken by insertion order. */
class TopK {
  private d: number[] = [];
  private r: number[] = [];
  constructor(private readonly k: number) {}

  push(distance: number, row: number): void {
    const { d, r } = this;
    if (d.length < this.k) {
      d.push(distance);
      r.push(row);
      let i = d.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (d[p] >= d[i]) break;
        this.swap(i, p);
        i = p;
      }
      return;
    }
    if (distance >= d[0]) return;
    d[0] = distance;
    r[0] = row;
    let i = 0;
    for (;;) {
      const a = 2 * i + 1;
      const b = a + 1;
      let m = i;
      if (a < d.length && d[a] > d[m]) m = a;
      if (b < d.length && d[b] > d[m]) m = b;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }

  sorted(): [number, number][] {
    return this.d.map((x, i): [number, number] => [x, this.r[i]]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  }

  private swap(i: number, j: number): void {
    [this.d[i], this.d[j]] = [this.d[j], this.d[i]];
    [this.r[i], this.r[j]] = [this.r[j], this.r[i]];
  }
}
