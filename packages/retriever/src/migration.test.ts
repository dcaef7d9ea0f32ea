/**
 * Embedding migration (Q25): an index holding two versions is refused, a query of the wrong version is
 * refused, a failed shadow gate leaves the alias alone, and a migration ends on one version with
 * search working, overlap@k reported and a change made during the build carried over by the feed.
 * DATABASE_URL when set, else the embedded PGlite.
 */
import { generateCorpus } from '@mlops-lab/datagen';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditIndex } from './audit.ts';
import type { SourceDocument } from './change-feed.ts';
import { createEmbedder } from './embedder.ts';
import { RetrieverError } from './errors.ts';
import { ExactRetriever } from './exact.ts';
import { HnswRetriever } from './hnsw.ts';
import { IndexState, liveDocuments, syncIndex, upsertDocument } from './indexing.ts';
import {
  detectMixedVersions,
  IndexAlias,
  type MigrationOptions,
  type MigrationProgress,
  migrateEmbeddings,
  overlapAtK,
  type VersionedIndex,
} from './migration.ts';
import { feedSource } from './testing/feed-source.ts';

const v1 = createEmbedder({ dim: 64, version: 'hash-v1' });
const v2 = createEmbedder({ dim: 96, version: 'hash-v2', hashDim: 4096 });
const corpus = generateCorpus({ seed: 25, documents: 300, queries: 40 });
const queries = corpus.queries.map((q) => q.text);
const services = feedSource('retriever_migrate', corpus.documents);
let alias: IndexAlias;
/** Migrates the served index to v2 (into an exact scan unless `options` says otherwise). */
const migrateToV2 = (options: Partial<MigrationOptions> = {}) =>
  migrateEmbeddings({
    source: { pool: services.pg },
    oldIndex: alias,
    newEmbedder: v2,
    buildIndex: () => new ExactRetriever({ dim: v2.dim, space: 'cosine' }),
    ...options,
  });

beforeAll(async () => {
  const retriever = new HnswRetriever({ dim: v1.dim, space: 'cosine', seed: 1 });
  const state = new IndexState('serving');
  await syncIndex({ pool: services.pg, index: retriever, embedder: v1, state, waitMs: 10_000 });
  alias = new IndexAlias({ retriever, embedder: v1, state });
});

describe('version checks', () => {
  it('refuses an index holding two embedding versions', async () => {
    const mixed: VersionedIndex = {
      retriever: new ExactRetriever({ dim: 64, space: 'cosine' }),
      embedder: v1,
      state: new IndexState('mixed'),
    };
    const other = createEmbedder({ dim: 64, version: 'hash-v1b' });
    const first = await liveDocuments(services.pg, 3).next();
    const batch: SourceDocument[] = first.done ? [] : first.value;
    await upsertDocument(mixed.retriever, v1, mixed.state, batch[0]);
    await upsertDocument(mixed.retriever, v1, mixed.state, batch[1]);
    expect(detectMixedVersions(mixed.state)).toBe('hash-v1');
    await upsertDocument(mixed.retriever, other, mixed.state, batch[2]);
    expect(() => detectMixedVersions(mixed.state)).toThrow(
      /2 embedding versions \(hash-v1: 2, hash-v1b: 1\)/,
    );
    const metas = batch.map((d) => (mixed.retriever as ExactRetriever).metadata(d.id));
    expect(() => detectMixedVersions(metas)).toThrow(RetrieverError);
    expect(() => detectMixedVersions([{ topic: 'x' }])).toThrow(/carry no model_version/);
    expect(detectMixedVersions([])).toBeUndefined();
    await expect(new IndexAlias(mixed).searchText('solar', 3)).rejects.toThrow(RetrieverError);
  });

  it('refuses a query embedded by another version', async () => {
    await expect(alias.search(v2.embedVersioned(queries[0]), 5)).rejects.toThrow(
      /query embedded with "hash-v2" but the index holds "hash-v1"/,
    );
    expect(await alias.searchText(queries[0], 5)).toHaveLength(5);
  });

  it('computes overlap@k on ids, ignoring order', () => {
    const hits = (ids: string[]) => ids.map((id) => ({ id, distance: 0 }));
    expect(overlapAtK(hits(['a', 'b', 'c']), hits(['c', 'a', 'x']), 3)).toBeCloseTo(2 / 3, 12);
    expect(overlapAtK(hits([]), hits([]), 3)).toBe(1);
  });
});

describe('migrateEmbeddings', () => {
  it('leaves the alias on the old index when the shadow comparison fails its gate', async () => {
    const before = alias.current;
    await expect(migrateToV2({ sampleQueries: queries.slice(0, 5), minOverlap: 1.01 })).rejects.toThrow(
      /below 1.01; the alias still points at "hash-v1"/,
    );
    expect(alias.current).toBe(before);
  });

  it('re-embeds, shadow-compares, cuts over and drops the old index', async () => {
    const progress: MigrationProgress[] = [];
    const edited = corpus.documents[0];
    const dropped: string[] = [];
    const old = alias.current;
    const result = await migrateToV2({
      buildIndex: () => new HnswRetriever({ dim: v2.dim, space: 'cosine', seed: 2 }),
      batchSize: 100,
      sampleQueries: queries,
      k: 10,
      onProgress: async (p) => {
        progress.push(p);
        // A write during the build, to a row the scan has already passed: the feed must carry it.
        if (p.phase === 'build' && p.done === 100) {
          await services.pg.query(
            `UPDATE documents SET text = 'Quillwort observatory relaunch' WHERE id = $1`,
            [edited.id],
          );
        }
      },
      dropOld: (o) => {
        dropped.push(o.embedder.version);
      },
    });
    const build = progress.filter((p) => p.phase === 'build');
    expect(build.map((p) => p.done)).toEqual([100, 200, 300]);
    expect(progress.at(-1)?.phase).toBe('cutover');
    expect(result).toMatchObject({ previousVersion: 'hash-v1', version: 'hash-v2', documents: 300 });
    expect(result.perQueryOverlap).toHaveLength(queries.length);
    expect(result.overlap).toBeGreaterThan(0.25);
    expect(result.overlap).toBeLessThanOrEqual(1);
    console.info(
      `migration: ${result.documents} documents in ${result.buildMs.toFixed(0)} ms, mean overlap@10 ${result.overlap?.toFixed(3)}`,
    );

    expect(alias.current).toBe(result.index);
    expect(detectMixedVersions(alias.current.state)).toBe('hash-v2');
    expect(dropped).toEqual(['hash-v1']);
    const positions = await services.pg.query('SELECT consumer FROM index_positions ORDER BY consumer');
    expect(positions.rows.map((r) => r.consumer)).toEqual(['serving@hash-v2']);
    expect((await alias.searchText('Quillwort observatory relaunch', 1))[0].id).toBe(edited.id);
    // Answer-bearing documents are still found under the new version.
    let found = 0;
    for (const q of corpus.queries) {
      const best = Object.keys(q.relevance).find((id) => q.relevance[id] === 3);
      if ((await alias.searchText(q.text, 10)).some((h) => h.id === best)) found++;
    }
    console.info(`migration: answer document in the top 10 for ${found} of ${corpus.queries.length} queries`);
    expect(found / corpus.queries.length).toBeGreaterThan(0.7);
    // Old-version queries are now the mismatch.
    await expect(alias.search(old.embedder.embedVersioned(queries[0]), 5)).rejects.toThrow(/holds "hash-v2"/);
    const report = await auditIndex({
      pool: services.pg,
      index: result.index.retriever,
      embedder: v2,
      state: result.index.state,
    });
    expect(report.consistent).toBe(true);
  });

  it('refuses to migrate to the version already served', async () => {
    await expect(migrateToV2()).rejects.toThrow(/already holds "hash-v2"/);
  });
});
