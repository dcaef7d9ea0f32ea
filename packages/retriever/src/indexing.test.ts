/**
 * Incremental indexing against Postgres (Q24): inserts, updates and deletes reach the index through
 * the outbox; a second sync applies nothing; a crash mid-batch converges on re-run to the index a
 * clean run builds; deleted ids are never returned; compaction rebuilds HNSW past its tombstone share.
 * Runs on DATABASE_URL when set (CI), else on the embedded PGlite.
 */
import { generateCorpus } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { auditIndex } from './audit.ts';
import { readChanges, readPosition } from './change-feed.ts';
import { createEmbedder } from './embedder.ts';
import { RetrieverError } from './errors.ts';
import { ExactRetriever } from './exact.ts';
import { HnswRetriever } from './hnsw.ts';
import { compactIndex, IndexState, syncIndex, VECTOR_FIELDS } from './indexing.ts';
import { feedSource } from './testing/feed-source.ts';

const DIM = 64;
const embedder = createEmbedder({ dim: DIM, version: 'hash-v1' });
const corpus = generateCorpus({ seed: 24, documents: 200, queries: 0 });
const services = feedSource('retriever_feed', corpus.documents);

const sync = (index: ExactRetriever | HnswRetriever, state: IndexState, batchSize = 64) =>
  syncIndex({ pool: services.pg, index, embedder, state, batchSize, waitMs: 10_000 });
const hitIds = async (index: ExactRetriever | HnswRetriever, text: string, k = 10) =>
  (await index.search(embedder.embed(text), k)).map((h) => h.id);

describe('syncIndex', () => {
  const index = new ExactRetriever({ dim: DIM, space: 'cosine' });
  const state = new IndexState('exact-main');

  it('loads every document in batches, with its provenance on the vector', async () => {
    const r = await sync(index, state);
    expect(r).toMatchObject({ batches: 4, events: 200, upserts: 200, deletes: 0, heldBack: 0 });
    expect(index.size()).toBe(200);
    const meta = index.metadata(corpus.documents[0].id);
    expect(meta?.[VECTOR_FIELDS.version]).toBe('hash-v1');
    expect(meta?.topic).toBe(corpus.documents[0].topic);
    expect(await readPosition(services.pg, 'exact-main')).toEqual(r.position);
  });

  it('applies nothing on a second run', async () => {
    const r = await sync(index, state);
    expect(r).toMatchObject({ batches: 0, events: 0, upserts: 0, deletes: 0 });
  });

  it('carries updates, soft deletes and hard deletes to the index', async () => {
    const updated = corpus.documents.slice(0, 10).map((d) => d.id);
    const deleted = corpus.documents.slice(10, 15);
    const purged = corpus.documents.slice(15, 18);
    await services.pg.query(
      `UPDATE documents SET text = 'Zephyrine quasar lithography ' || id, updated_at = now() WHERE id = ANY($1)`,
      [updated],
    );
    await services.pg.query('UPDATE documents SET deleted = true WHERE id = ANY($1)', [
      deleted.map((d) => d.id),
    ]);
    await services.pg.query('DELETE FROM documents WHERE id = ANY($1)', [purged.map((d) => d.id)]);
    const r = await sync(index, state);
    expect(r).toMatchObject({ events: 18, upserts: 10, deletes: 8 });
    expect(index.size()).toBe(192);
    expect(await hitIds(index, `Zephyrine quasar lithography ${updated[3]}`, 1)).toEqual([updated[3]]);
    // A tombstoned id never comes back, even for a query that is its own text.
    for (const doc of [...deleted, ...purged])
      expect(await hitIds(index, doc.text, 50)).not.toContain(doc.id);
    expect((await auditIndex({ pool: services.pg, index, embedder, state })).consistent).toBe(true);
  });

  it('converges after a crash mid-batch to what a clean run builds', async () => {
    const ids = corpus.documents.slice(20, 60).map((d) => d.id);
    await services.pg.query(
      `UPDATE documents SET text = text || ' Revised.', updated_at = now() WHERE id = ANY($1)`,
      [ids],
    );
    await services.pg.query('UPDATE documents SET deleted = true WHERE id = ANY($1)', [ids.slice(0, 5)]);
    const before = await readPosition(services.pg, 'exact-main');
    const crash = (_id: string, applied: number) => {
      if (applied === 7) throw new Error('injected crash');
    };
    await expect(
      syncIndex({ pool: services.pg, index, embedder, state, batchSize: 16, afterApply: crash }),
    ).rejects.toThrow('injected crash');
    // The first batch crashed: the position did not move, so its events come again.
    expect(await readPosition(services.pg, 'exact-main')).toEqual(before);
    const r = await sync(index, state, 16);
    expect(r.events).toBe(45);

    const clean = new ExactRetriever({ dim: DIM, space: 'cosine' });
    const cleanState = new IndexState('exact-clean');
    await sync(clean, cleanState, 100);
    expect(new Map(state.entries)).toEqual(new Map(cleanState.entries));
    expect(index.size()).toBe(clean.size());
    for (const doc of corpus.documents.slice(0, 30)) {
      expect(await hitIds(index, doc.text)).toEqual(await hitIds(clean, doc.text));
    }
    expect((await auditIndex({ pool: services.pg, index, embedder, state })).consistent).toBe(true);
  });

  it('refuses a bad batch size and an embedder of another dimension before reading', async () => {
    await expect(syncIndex({ pool: services.pg, index, embedder, state, batchSize: 0 })).rejects.toThrow(
      RetrieverError,
    );
    const wide = createEmbedder({ dim: DIM * 2, version: 'hash-v1' });
    await expect(syncIndex({ pool: services.pg, index, embedder: wide, state })).rejects.toThrow(/dim/);
  });

  it('holds back nothing once every writer has committed', async () => {
    const { heldBack } = await readChanges(services.pg, { tx: '0', seq: '0' }, 1);
    expect(heldBack).toBe(0);
  });
});

// PGlite is one session shared by every connection, so two open transactions need a real server.
describe.skipIf(!process.env.DATABASE_URL)('a writer that commits late', () => {
  it('holds newer events back until the older transaction commits, then delivers both', async () => {
    const index = new ExactRetriever({ dim: DIM, space: 'cosine' });
    const state = new IndexState('late-commit');
    await sync(index, state, 1000);
    const slow = await services.pg.connect();
    try {
      await slow.query('BEGIN');
      await slow.query(`INSERT INTO documents (id, text) VALUES ('late-a', 'Slow writer alpha')`);
      await services.pg.query(`INSERT INTO documents (id, text) VALUES ('late-b', 'Fast writer beta')`);
      const early = await syncIndex({ pool: services.pg, index, embedder, state, waitMs: 100 });
      // A seq or updated_at watermark would hand out late-b now and skip late-a for good.
      expect(early.heldBack).toBeGreaterThan(0);
      expect(index.metadata('late-b')).toBeUndefined();
      await slow.query('COMMIT');
    } finally {
      slow.release();
    }
    const r = await sync(index, state);
    expect(r.upserts).toBe(2);
    expect(index.metadata('late-a')).toBeDefined();
    expect(index.metadata('late-b')).toBeDefined();
  });
});

describe('compactIndex', () => {
  it('rebuilds the HNSW graph once tombstones pass the share, and not before', async () => {
    const build = () => new HnswRetriever({ dim: DIM, space: 'cosine', seed: 1 });
    let index = build();
    const state = new IndexState('hnsw-main');
    // One batch holds the whole history, so each document is applied once: no dead nodes yet.
    await sync(index, state, 1000);
    const live = index.size();
    expect(state.tombstones).toBe(0);

    const victims = corpus.documents.slice(100, 110).map((d) => d.id);
    await services.pg.query('UPDATE documents SET deleted = true WHERE id = ANY($1)', [victims]);
    await sync(index, state);
    expect(state.tombstones).toBe(10);
    const compact = () =>
      compactIndex({ pool: services.pg, index, embedder, state, build, maxTombstoneShare: 0.2 });
    const kept = await compact();
    expect(kept.compacted).toBe(false);
    expect(kept.index).toBe(index);

    const more = corpus.documents.slice(110, 170).map((d) => d.id);
    await services.pg.query('UPDATE documents SET deleted = true WHERE id = ANY($1)', [more]);
    await sync(index, state);
    const r = await compact();
    expect(r).toMatchObject({ compacted: true, freed: 70 });
    expect(r.tombstoneShare).toBeCloseTo(70 / live, 6);
    index = r.index as HnswRetriever;
    expect(index.size()).toBe(live - 70);
    expect(state.tombstones).toBe(0);
    for (const id of [...victims, ...more]) expect(index.metadata(id)).toBeUndefined();
    const doc = corpus.documents[180];
    expect(await hitIds(index, doc.text, 1)).toEqual([doc.id]);
    expect((await auditIndex({ pool: services.pg, index, embedder, state })).consistent).toBe(true);
    // The rebuilt index keeps following the feed from the same position.
    expect((await sync(index, state)).events).toBe(0);
  });
});
