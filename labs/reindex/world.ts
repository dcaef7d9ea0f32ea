/**
 * The reindex lab's world (Q24): a seeded corpus of company profiles (@mlops-lab/datagen) loaded
 * into the Postgres `documents` table of the change feed (packages/retriever/src/change-feed.ts),
 * then one round of edits: some documents deleted, some rewritten (the company was acquired and its
 * profile replaced by a different one), each kind in its own transaction, deletes first.
 */
import { createRng, generateCorpus, mixSeed } from '@mlops-lab/datagen';
import { CHANGE_FEED_MIGRATIONS } from '@mlops-lab/retriever';
import type { Services } from '@mlops-lab/services';

export const SIZE = { quick: 400, full: 3000 };
/** Shares of the corpus deleted and rewritten in the round of edits. */
export const DELETE_SHARE = 0.1;
export const UPDATE_SHARE = 0.2;

export interface Edits {
  deleted: { id: string; text: string }[];
  updated: { id: string; oldText: string; newText: string }[];
}

export interface World {
  documents: { id: string; text: string }[];
  edits: Edits;
}

export function buildWorld(seed: number, quick: boolean): World {
  const n = quick ? SIZE.quick : SIZE.full;
  const documents = generateCorpus({ seed, documents: n, queries: 1 }).documents.map((d) => ({
    id: d.id,
    text: d.text,
  }));
  // The replacement profiles come from another seed: unrelated to the text they replace, so the
  // old vector cannot pass for the new text.
  const nUpdate = Math.round(n * UPDATE_SHARE);
  const rewrites = generateCorpus({
    seed: mixSeed(seed, 'reindex', 'rewrites'),
    documents: nUpdate,
    queries: 1,
  });
  const rng = createRng(mixSeed(seed, 'reindex', 'edits'));
  const order = documents.map((d) => d.id);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  const byId = new Map(documents.map((d) => [d.id, d.text]));
  const nDelete = Math.round(n * DELETE_SHARE);
  return {
    documents,
    edits: {
      deleted: order.slice(0, nDelete).map((id) => ({ id, text: byId.get(id)! })),
      updated: order.slice(nDelete, nDelete + nUpdate).map((id, i) => ({
        id,
        oldText: byId.get(id)!,
        newText: rewrites.documents[i].text,
      })),
    },
  };
}

/** Creates the source table with its outbox trigger and loads the documents (one transaction). */
export async function loadSource(services: Services, world: World, skipDeletes: boolean): Promise<void> {
  await services.migrate('retriever-feed', CHANGE_FEED_MIGRATIONS);
  if (skipDeletes) {
    // The fault: the same trigger function, but declared without DELETE.
    await services.pg.query('DROP TRIGGER documents_outbox ON documents');
    await services.pg.query(
      'CREATE TRIGGER documents_outbox AFTER INSERT OR UPDATE ON documents FOR EACH ROW EXECUTE FUNCTION documents_outbox()',
    );
  }
  await services.pg.query('INSERT INTO documents (id, text) SELECT * FROM unnest($1::text[], $2::text[])', [
    world.documents.map((d) => d.id),
    world.documents.map((d) => d.text),
  ]);
}

/** The round of edits: hard deletes in one transaction, then the rewrites in another. */
export async function applyEdits(services: Services, edits: Edits): Promise<void> {
  await services.pg.query('DELETE FROM documents WHERE id = ANY($1::text[])', [
    edits.deleted.map((d) => d.id),
  ]);
  await services.pg.query(
    `UPDATE documents d SET text = u.text, updated_at = now()
     FROM unnest($1::text[], $2::text[]) AS u(id, text) WHERE d.id = u.id`,
    [edits.updated.map((u) => u.id), edits.updated.map((u) => u.newText)],
  );
}

/** Events in the feed after a consumer's position (what it still has to apply). */
export async function eventsBehind(
  services: Services,
  position: { tx: string; seq: string },
): Promise<number> {
  const { rows } = await services.pg.query(
    'SELECT count(*)::int AS n FROM document_changes WHERE (tx, seq) > ($1::xid8, $2::bigint)',
    [position.tx, position.seq],
  );
  return rows[0].n;
}
