/**
 * HnswRetriever (Q21): an in-memory HNSW graph (hnswlib-node 3, the nmslib/hnswlib C++ library), the
 * kind of index FAISS-style "in-process" retrieval uses before a vector database is worth its ops.
 *
 * hnswlib does: the graph (M, efConstruction), search with ef, markDelete, reuse of a deleted slot
 * (addPoint(..., replaceDeleted = true) on an index created with allowReplaceDeleted), resizeIndex,
 * writeIndex / readIndex, filtered search (a label predicate evaluated inside the graph walk: here
 * the contract's declarative filter, filter.ts, evaluated on the label's metadata).
 * Written here: string ids <-> numeric labels; capacity doubling; ef persistence beside the index file
 * (hnswlib's file has no ef); widening ef for selective filters; distance conversion (distance.ts).
 *
 * Labels are never reused: each add takes a fresh label. replaceDeleted relabels the slot it reuses,
 * and reusing an old label number could make hnswlib drop the live mapping of a different slot.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { HierarchicalNSW } from 'hnswlib-node';
// A CommonJS addon: Node's ESM loader sees no named exports, so take the class off the default export.
import hnswlib from 'hnswlib-node';
import { RetrieverError } from './errors.ts';
import { compileFilter, matcher } from './filter.ts';
import type { Filter, Metadata, Retriever, SearchHit, Space, Vector } from './types.ts';
import { checkId, checkK, checkMetadata, checkSpaceAndDim, checkVector } from './validate.ts';

/**
 * Defaults measured on clustered data (hnsw.test.ts, bench/retriever.ts): M = 16 and
 * efConstruction = 200 are hnswlib's recommended starting point. efSearch = 64 measured recall@10
 * 0.954 on 100k x 128-d clustered vectors (bench/retriever.ts), too close to 0.95: 100 leaves a margin
 * at a still large speed-up over the exact scan. hnswlib's own default ef is 10 (far too low).
 */
export const HNSW_DEFAULTS = { M: 16, efConstruction: 200, efSearch: 100, maxElements: 1024 } as const;

export interface HnswOptions {
  dim: number;
  space: Space;
  M?: number;
  efConstruction?: number;
  efSearch?: number;
  /** Initial capacity; the index doubles it when full (resizeIndex). */
  maxElements?: number;
  /** hnswlib's random seed for level assignment (same seed + same inserts = same graph). */
  seed?: number;
}

interface Sidecar {
  format: 1;
  dim: number;
  space: Space;
  M: number;
  efConstruction: number;
  efSearch: number;
  seed: number;
  nextLabel: number;
  deleted: number;
  items: [id: string, label: number, metadata: Metadata][];
}

export class HnswRetriever implements Retriever {
  readonly dim: number;
  readonly space: Space;
  readonly M: number;
  readonly efConstruction: number;
  private ef: number;
  private readonly seed: number;
  private index: HierarchicalNSW;
  private labelOf = new Map<string, number>();
  private idOf = new Map<number, string>();
  private metaOf = new Map<number, Metadata>();
  private nextLabel = 0;
  /** Marked-deleted slots not yet reused: while > 0 an add fills one instead of growing. */
  private deleted = 0;

  constructor(options: HnswOptions) {
    const { dim, space } = options;
    checkSpaceAndDim(space, dim);
    this.dim = dim;
    this.space = space;
    this.M = positive('M', options.M ?? HNSW_DEFAULTS.M);
    this.efConstruction = positive('efConstruction', options.efConstruction ?? HNSW_DEFAULTS.efConstruction);
    this.ef = positive('efSearch', options.efSearch ?? HNSW_DEFAULTS.efSearch);
    this.seed = options.seed ?? 100;
    const capacity = positive('maxElements', options.maxElements ?? HNSW_DEFAULTS.maxElements);
    this.index = new hnswlib.HierarchicalNSW(space, dim);
    this.index.initIndex({
      maxElements: capacity,
      m: this.M,
      efConstruction: this.efConstruction,
      randomSeed: this.seed,
      allowReplaceDeleted: true,
    });
    this.index.setEf(this.ef);
  }

  get efSearch(): number {
    return this.ef;
  }

  set efSearch(ef: number) {
    this.ef = positive('efSearch', ef);
    this.index.setEf(ef);
  }

  /** Current capacity (grows by doubling). */
  capacity(): number {
    return this.index.getMaxElements();
  }

  add(id: string, vector: Vector, metadata?: Metadata): void {
    checkId(id);
    const point = checkVector(vector, this.dim, this.space);
    const meta = checkMetadata(metadata);
    const old = this.labelOf.get(id);
    if (old !== undefined) this.removeLabel(id, old); // an update: the old node is deleted, its slot reusable
    if (this.deleted === 0 && this.index.getCurrentCount() >= this.index.getMaxElements()) {
      this.index.resizeIndex(this.index.getMaxElements() * 2);
    }
    const label = this.nextLabel++;
    this.index.addPoint(point, label, this.deleted > 0);
    if (this.deleted > 0) this.deleted--;
    this.labelOf.set(id, label);
    this.idOf.set(label, id);
    this.metaOf.set(label, meta);
  }

  remove(id: string): void {
    const label = this.labelOf.get(id);
    if (label === undefined) throw new RetrieverError(`remove: unknown id ${JSON.stringify(id)}`);
    this.removeLabel(id, label);
  }

  private removeLabel(id: string, label: number): void {
    this.index.markDelete(label);
    this.deleted++;
    this.labelOf.delete(id);
    this.idOf.delete(label);
    this.metaOf.delete(label);
  }

  /**
   * Filtered search: hnswlib evaluates the filter during the graph walk and keeps walking until ef
   * allowed items are collected, so ef = max(efSearch, k) usually suffices. When it returns fewer than
   * k (a very selective filter, or matches unreachable within the walk), ef is multiplied by 4 and the
   * search repeated, up to ef >= the number of stored nodes, where the walk has seen everything it can
   * reach. Fewer than k hits are then returned only when fewer than k items match.
   */
  search(vector: Vector, k: number, filter?: Filter): SearchHit[] {
    checkK(k);
    const query = checkVector(vector, this.dim, this.space, 'query');
    const compiled = compileFilter(filter);
    const live = this.labelOf.size;
    if (live === 0) return [];
    const want = Math.min(k, live);
    const keep = compiled && matcher(compiled);
    // Called from inside the native walk: a declarative filter cannot throw, so nothing crosses it.
    const allow = keep ? (label: number): boolean => keep(this.metaOf.get(label)!) : undefined;
    const total = this.index.getCurrentCount();
    let ef = Math.max(this.ef, want);
    try {
      for (;;) {
        this.index.setEf(ef);
        const { neighbors, distances } = allow
          ? this.index.searchKnn(query, want, allow)
          : this.index.searchKnn(query, want);
        if (neighbors.length >= want || ef >= total) {
          return neighbors.map((label, i) => ({
            id: this.idOf.get(label)!,
            distance: this.convert(distances[i]),
          }));
        }
        ef = Math.min(ef * 4, total);
      }
    } finally {
      this.index.setEf(this.ef);
    }
  }

  /** hnswlib's numbers on the contract's scale: 'ip' gives 1 - dot, the contract wants -dot. */
  private convert(d: number): number {
    return this.space === 'ip' ? d - 1 : d;
  }

  size(): number {
    return this.labelOf.size;
  }

  metadata(id: string): Metadata | undefined {
    const label = this.labelOf.get(id);
    return label === undefined ? undefined : { ...this.metaOf.get(label) };
  }

  /** Writes the graph to `path` and the id map, metadata and efSearch to `path + '.json'`. */
  save(path: string): void {
    this.index.writeIndexSync(path);
    const items: Sidecar['items'] = [];
    for (const [id, label] of this.labelOf) items.push([id, label, this.metaOf.get(label)!]);
    const sidecar: Sidecar = {
      format: 1,
      dim: this.dim,
      space: this.space,
      M: this.M,
      efConstruction: this.efConstruction,
      efSearch: this.ef,
      seed: this.seed,
      nextLabel: this.nextLabel,
      deleted: this.deleted,
      items,
    };
    writeFileSync(`${path}.json`, JSON.stringify(sidecar));
  }

  static load(path: string): HnswRetriever {
    let sidecar: Sidecar;
    try {
      sidecar = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as Sidecar;
    } catch (cause) {
      throw new RetrieverError(`HnswRetriever.load: cannot read ${path}.json (written by save())`, { cause });
    }
    if (sidecar.format !== 1)
      throw new RetrieverError(`HnswRetriever.load: unknown format ${sidecar.format}`);
    const r = new HnswRetriever({ ...sidecar, maxElements: 1 });
    // readIndex replaces the empty graph; allowReplaceDeleted rebuilds the list of reusable slots.
    r.index.readIndexSync(path, true);
    r.index.setEf(sidecar.efSearch);
    r.nextLabel = sidecar.nextLabel;
    r.deleted = sidecar.deleted;
    for (const [id, label, meta] of sidecar.items) {
      r.labelOf.set(id, label);
      r.idOf.set(label, id);
      r.metaOf.set(label, meta);
    }
    return r;
  }
}

function positive(name: string, x: number): number {
  if (!Number.isSafeInteger(x) || x <= 0)
    throw new RetrieverError(`${name} must be a positive integer, got ${x}`);
  return x;
}
