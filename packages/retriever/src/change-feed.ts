/**
 * A change feed out of Postgres for incremental indexing (Q24), after the transactional outbox
 * pattern: a trigger on the `documents` source table writes one row per insert, update or delete into
 * `document_changes` in the same transaction as the change, so a change and its event commit or roll
 * back together (no dual write). The indexer reads the outbox in order, like a Debezium-style change
 * data capture consumer reads the log, and stores its position in `index_positions`.
 *
 * Why not an `updated_at` watermark: a transaction that stamps `updated_at = now()` at 10:00:00 and
 * commits at 10:00:05 becomes visible after a reader already moved its watermark past 10:00:03; the
 * row is skipped for good. A plain sequence id has the same hole under concurrency: ids are handed out
 * at insert time, not commit time, so id 11 can commit (and be consumed) before id 10. Here each event
 * also records the id of the transaction that wrote it (`xid8`, 64 bits, no wraparound) and the reader
 * only takes events of transactions older than every transaction still running
 * (`pg_snapshot_xmin(pg_current_snapshot())`), in (transaction, seq) order. Events of a finished
 * transaction can no longer appear, and any transaction starting later gets a larger id, so every
 * event arrives after the position: nothing is skipped. A long-running writer holds the feed back
 * (latency), never loses an event (correctness).
 */
import type { Queryable } from '@mlops-lab/services/sql';
import type { Metadata } from './types.ts';

/** `services.migrate('retriever-feed', CHANGE_FEED_MIGRATIONS)`; plain SQL for any other runner. */
export const CHANGE_FEED_MIGRATIONS: { id: string; sql: string }[] = [
  {
    id: '001_documents_outbox',
    sql: `
CREATE TABLE documents (
  id text PRIMARY KEY,
  text text NOT NULL,
  metadata jsonb NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now(),
  deleted boolean NOT NULL DEFAULT false
);
CREATE TABLE document_changes (
  seq bigserial PRIMARY KEY,
  tx xid8 NOT NULL DEFAULT pg_current_xact_id(),
  doc_id text NOT NULL,
  op text NOT NULL,
  changed_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX document_changes_order ON document_changes (tx, seq);
CREATE FUNCTION documents_outbox() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO document_changes (doc_id, op) VALUES (OLD.id, 'delete');
    RETURN OLD;
  END IF;
  -- A renamed id is a delete of the old id plus an insert of the new one.
  IF TG_OP = 'UPDATE' AND NEW.id <> OLD.id THEN
    INSERT INTO document_changes (doc_id, op) VALUES (OLD.id, 'delete');
  END IF;
  INSERT INTO document_changes (doc_id, op) VALUES (NEW.id, lower(TG_OP));
  RETURN NEW;
END $$;
CREATE TRIGGER documents_outbox AFTER INSERT OR UPDATE OR DELETE ON documents
  FOR EACH ROW EXECUTE FUNCTION documents_outbox();
CREATE TABLE index_positions (
  consumer text PRIMARY KEY,
  tx xid8 NOT NULL,
  seq bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);`,
  },
];

/** A consumer's place in the feed: everything at or before (tx, seq) has been applied. */
export interface FeedPosition {
  /** Transaction id (xid8) as a decimal string: it can exceed 2^53. */
  tx: string;
  seq: string;
}

export const FEED_START: FeedPosition = { tx: '0', seq: '0' };

/** One event with the document's current state (null when the row is gone). */
export interface FeedChange {
  position: FeedPosition;
  docId: string;
  op: 'insert' | 'update' | 'delete';
  doc: SourceDocument | null;
}

export interface SourceDocument {
  id: string;
  text: string;
  metadata: Metadata;
  /** `updated_at` in UTC with microseconds, as Postgres stores it (a JS Date would drop them). */
  updatedAt: string;
  /** md5 of the text, computed by Postgres, so the audit can compare without shipping texts. */
  textHash: string;
  deleted: boolean;
}

/** SQL fragment for the columns of SourceDocument, given the documents alias. */
export function documentColumns(d: string): string {
  return `${d}.id, ${d}.text, ${d}.metadata, ${d}.deleted, md5(${d}.text) AS text_hash,
    to_char(${d}.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated_at`;
}

export function toSourceDocument(row: Record<string, unknown>): SourceDocument {
  return {
    id: row.id as string,
    text: row.text as string,
    metadata: (row.metadata ?? {}) as Metadata,
    updatedAt: row.updated_at as string,
    textHash: row.text_hash as string,
    deleted: row.deleted as boolean,
  };
}

export async function readPosition(pool: Queryable, consumer: string): Promise<FeedPosition> {
  const { rows } = await pool.query(
    'SELECT tx::text AS tx, seq::text AS seq FROM index_positions WHERE consumer = $1',
    [consumer],
  );
  return rows.length === 0 ? { ...FEED_START } : { tx: rows[0].tx, seq: rows[0].seq };
}

export async function writePosition(
  pool: Queryable,
  consumer: string,
  position: FeedPosition,
): Promise<void> {
  await pool.query(
    `INSERT INTO index_positions (consumer, tx, seq) VALUES ($1, $2::xid8, $3::bigint)
     ON CONFLICT (consumer) DO UPDATE SET tx = EXCLUDED.tx, seq = EXCLUDED.seq, updated_at = now()`,
    [consumer, position.tx, position.seq],
  );
}

export async function dropPosition(pool: Queryable, consumer: string): Promise<void> {
  await pool.query('DELETE FROM index_positions WHERE consumer = $1', [consumer]);
}

/**
 * Up to `limit` events after `after`, oldest first, each joined with the document's current row.
 * `heldBack` counts visible events not handed out yet because an older transaction is still running.
 */
export async function readChanges(
  pool: Queryable,
  after: FeedPosition,
  limit: number,
): Promise<{ changes: FeedChange[]; heldBack: number }> {
  // One statement, one snapshot: the horizon and the rows below it are read consistently.
  const { rows } = await pool.query(
    `WITH horizon AS (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
     next AS (
       SELECT c.seq, c.tx, c.doc_id, c.op FROM document_changes c, horizon h
       WHERE (c.tx, c.seq) > ($1::xid8, $2::bigint) AND c.tx < h.xmin
       ORDER BY c.tx, c.seq LIMIT $3
     )
     SELECT n.tx::text AS position_tx, n.seq::text AS position_seq, n.doc_id, n.op, d.id IS NOT NULL AS present,
       ${documentColumns('d')},
       (SELECT count(*) FROM document_changes c, horizon h WHERE c.tx >= h.xmin)::int AS held_back
     FROM next n LEFT JOIN documents d ON d.id = n.doc_id
     ORDER BY n.tx, n.seq`,
    [after.tx, after.seq, limit],
  );
  const changes = rows.map(
    (r): FeedChange => ({
      position: { tx: r.position_tx, seq: r.position_seq },
      docId: r.doc_id,
      op: r.op,
      doc: r.present ? toSourceDocument(r) : null,
    }),
  );
  let heldBack = rows.length > 0 ? rows[0].held_back : 0;
  if (rows.length === 0) {
    const held = await pool.query(
      'SELECT count(*)::int AS n FROM document_changes WHERE tx >= pg_snapshot_xmin(pg_current_snapshot())',
    );
    heldBack = held.rows[0].n;
  }
  return { changes, heldBack };
}

/** Puts ids back on the feed (after an audit found them out of sync): the next sync re-applies them. */
export async function requeueDocuments(pool: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await pool.query(`INSERT INTO document_changes (doc_id, op) SELECT unnest($1::text[]), 'update'`, [ids]);
}
