/**
 * The index audit (Q24): a feed that loses events (source changes made with the outbox trigger off, a
 * skipped batch) and a vector of another embedding version are each found with the right counts, and
 * requeueing the findings makes the next sync consistent again. DATABASE_URL when set, else PGlite.
 */
import { generateCorpus } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { auditIndex } from './audit.ts';
import { readPosition, requeueDocuments, writePosition } from './change-feed.ts';
import { createEmbedder } from './embedder.ts';
import { HnswRetriever } from './hnsw.ts';
import { IndexState, liveDocuments, syncIndex, upsertDocument } from './indexing.ts';
import { feedSource } from './testing/feed-source.ts';

const DIM = 64;
const embedder = createEmbedder({ dim: DIM, version: 'hash-v1' });
const corpus = generateCorpus({ seed: 7, documents: 120, queries: 0 });
const ids = corpus.documents.map((d) => d.id);
const services = feedSource('retriever_audit', corpus.documents);

describe('auditIndex', () => {
  const index = new HnswRetriever({ dim: DIM, space: 'cosine', seed: 3 });
  const state = new IndexState('audited');
  const audit = () => auditIndex({ pool: services.pg, index, embedder, state });
  const sync = () => syncIndex({ pool: services.pg, index, embedder, state, waitMs: 10_000 });

  it('finds nothing on an index the feed built', async () => {
    await sync();
    const report = await audit();
    expect(report).toMatchObject({ sourceLive: 120, indexed: 120, consistent: true, outOfSync: [] });
  });

  it('finds lost updates, deletes and inserts, a skipped batch and a wrong-version vector', async () => {
    const pg = services.pg;
    // Changes the outbox never hears of: a writer that bypasses the trigger (a bulk load, a restore).
    await pg.query('ALTER TABLE documents DISABLE TRIGGER documents_outbox');
    await pg.query(`UPDATE documents SET text = text || ' Amended.' WHERE id = ANY($1)`, [ids.slice(0, 3)]);
    await pg.query('UPDATE documents SET deleted = true WHERE id = ANY($1)', [ids.slice(3, 5)]);
    await pg.query('DELETE FROM documents WHERE id = $1', [ids[5]]);
    await pg.query(
      `INSERT INTO documents (id, text) SELECT 'new-' || g, 'Fresh arrival number ' || g FROM generate_series(1, 4) g`,
    );
    await pg.query('ALTER TABLE documents ENABLE TRIGGER documents_outbox');
    // A batch the consumer skipped: the position jumps past two real updates (same text, newer time).
    const before = await readPosition(pg, state.consumer);
    await pg.query("UPDATE documents SET updated_at = updated_at + interval '1 day' WHERE id = ANY($1)", [
      ids.slice(6, 8),
    ]);
    const skipped = await pg.query(
      'SELECT tx::text AS tx, seq::text AS seq FROM document_changes ORDER BY tx DESC, seq DESC LIMIT 1',
    );
    await writePosition(pg, state.consumer, skipped.rows[0]);
    expect(await readPosition(pg, state.consumer)).not.toEqual(before);
    // One vector written by another embedding version.
    const other = createEmbedder({ dim: DIM, version: 'hash-v0' });
    for await (const batch of liveDocuments(pg, 500)) {
      const doc = batch.find((d) => d.id === ids[10]);
      if (doc) await upsertDocument(index, other, state, doc);
    }

    expect((await sync()).events).toBe(0); // the feed has nothing: only the audit can tell
    const report = await audit();
    expect(report.stale).toEqual({ count: 5, examples: [...ids.slice(0, 3), ...ids.slice(6, 8)].sort() });
    expect(report.orphaned).toEqual({ count: 3, examples: ids.slice(3, 6).sort() });
    expect(report.missing).toEqual({ count: 4, examples: ['new-1', 'new-2', 'new-3', 'new-4'] });
    expect(report.wrongVersion).toEqual({ count: 1, examples: [ids[10]] });
    expect(report).toMatchObject({ sourceLive: 120 - 3 + 4, indexed: 120, consistent: false });
    expect(report.outOfSync).toHaveLength(13);

    // Reconcile: put the findings back on the feed; the next sync repairs them.
    await requeueDocuments(pg, report.outOfSync);
    const r = await sync();
    expect(r).toMatchObject({ upserts: 10, deletes: 3 });
    const after = await audit();
    expect(after).toMatchObject({ consistent: true, sourceLive: 121, indexed: 121 });
  });

  it('keeps the requested number of examples', async () => {
    await services.pg.query('ALTER TABLE documents DISABLE TRIGGER documents_outbox');
    await services.pg.query('UPDATE documents SET deleted = true WHERE id = ANY($1)', [ids.slice(20, 40)]);
    await services.pg.query('ALTER TABLE documents ENABLE TRIGGER documents_outbox');
    const report = await auditIndex({ pool: services.pg, index, embedder, state, examples: 2 });
    expect(report.orphaned).toEqual({ count: 20, examples: ids.slice(20, 40).sort().slice(0, 2) });
  });
});
