/**
 * Lab `reindex` (Q24): keeping a vector index in step with its source. Documents live in Postgres; a
 * trigger writes every change to an outbox table (the change feed); an HNSW index is built from the
 * feed, then deletes and rewrites flow through it (`syncIndex`). Searches before and after the sync,
 * tombstones and compaction (the graph measured on disk), and an audit of stale, missing and orphaned
 * vectors against the source. Reference: the transactional outbox pattern, Debezium-style change data
 * capture, hnswlib's markDelete.
 */
import { type Check, check, fmt, type LabDefinition } from '@mlops-lab/labkit';
import {
  auditIndex,
  compactIndex,
  createEmbedder,
  HnswRetriever,
  IndexState,
  readPosition,
} from '@mlops-lab/retriever';
import { BREAKS, CHECK, configFor } from './breaks.ts';
import { type Attempt, BATCH_SIZE, consume, foundShare, graphStats } from './consumer.ts';
import { applyEdits, buildWorld, loadSource } from './world.ts';

const K = 10;
const DIM = 128;
/** This lab's compaction policy: rebuild once dead nodes exceed 5% (the package default is 20%). */
const MAX_TOMBSTONE_SHARE = 0.05;

const attemptRows = (attempts: Attempt[]) =>
  attempts.map((a) => [
    a.attempt,
    a.result ? a.result.events : '-',
    a.result ? a.result.upserts : '-',
    a.result ? a.result.deletes : '-',
    a.position.seq,
    a.behind,
    a.error ?? 'ok',
  ]);
const ATTEMPT_HEADERS = [
  'attempt',
  'events',
  'upserts',
  'deletes',
  'position (seq)',
  'events behind',
  'result',
];

const lab: LabDefinition = {
  name: 'reindex',
  title: 'Incremental indexing from a Postgres change feed: deletes, tombstones, compaction, the audit',
  questions: [24],
  needs: ['postgres'],
  breaks: BREAKS,
  async run({ quick, seed, fault, services, out }) {
    const config = configFor(fault);
    const world = buildWorld(seed, quick);
    const { deleted, updated } = world.edits;
    const embedder = createEmbedder({ dim: DIM, version: 'hash-v1' });
    const build = () => new HnswRetriever({ dim: DIM, space: 'cosine', seed });

    await out.step('Load the source: documents in Postgres, an outbox trigger writing the change feed', () =>
      loadSource(services, world, config.feedSkipsDeletes),
    );
    // Not which events the trigger fires on: that differs under a fault and would name it in a mystery run.
    out.say(`${fmt.num(world.documents.length)} documents; the trigger documents_outbox writes the feed`);
    out.pointer(
      'packages/retriever/src/change-feed.ts',
      'the outbox trigger, and why a transaction id orders the feed',
    );

    let index = build();
    const state = new IndexState('search-api');
    const initial = await out.step('Build the HNSW index by consuming the feed from the start', () =>
      consume({ services, index, embedder, state }),
    );
    out.table(ATTEMPT_HEADERS, attemptRows(initial));

    await out.step(
      `Edit the source: delete ${deleted.length} documents, then rewrite ${updated.length} (two transactions)`,
      () => applyEdits(services, world.edits),
    );
    /** The probes read before and after the sync: rewritten documents by their new text, deleted ones by theirs. */
    const probe = async () => ({
      updates: await foundShare(
        index,
        embedder,
        updated.map((u) => ({ id: u.id, text: u.newText })),
        K,
      ),
      deletes: await foundShare(index, embedder, deleted, K),
    });
    const before = await probe();

    // The fault's consumer hook: it fails on the first rewritten document it meets, every time.
    const rewritten = new Set(updated.map((u) => u.id));
    let poison: string | undefined;
    const afterApply = config.poisonEvent
      ? (id: string) => {
          if (!rewritten.has(id)) return;
          poison ??= id;
          if (id === poison) throw new Error(`notify: payload for ${id} rejected`);
        }
      : undefined;
    const sync = await out.step(`Sync the index from the feed (batches of ${BATCH_SIZE} events)`, () =>
      consume({ services, index, embedder, state, afterApply }),
    );
    out.table(ATTEMPT_HEADERS, attemptRows(sync));
    out.pointer(
      'packages/retriever/src/indexing.ts',
      'syncIndex: the position moves only after a whole batch',
    );

    const after = await probe();
    out.step(`Search: each rewritten document by its new text, each deleted one by its own text (top ${K})`);
    out.table(
      ['probe', 'before the sync', 'after the sync'],
      [
        [
          `rewritten, found by new text`,
          `${before.updates.found} / ${updated.length}`,
          `${after.updates.found} / ${updated.length}`,
        ],
        [
          `deleted, still returned`,
          `${before.deletes.found} / ${deleted.length}`,
          `${after.deletes.found} / ${deleted.length}`,
        ],
      ],
    );
    const missedUpdate = updated.find((u) => !after.updates.ids.includes(u.id));
    if (missedUpdate)
      out.say(`e.g. ${missedUpdate.id} is not found by its new text: the index still holds its old one`);
    const leaked = after.deletes.ids[0];
    if (leaked) out.say(`e.g. ${leaked} was deleted from Postgres and is still retrieved`);

    const audit = await out.step('Audit the index against the source', () =>
      auditIndex({ pool: services.pg, index, embedder, state }),
    );
    out.table(
      ['live in source', 'indexed', 'stale', 'missing', 'orphaned', 'wrong version', 'examples'],
      [
        [
          audit.sourceLive,
          audit.indexed,
          audit.stale.count,
          audit.missing.count,
          audit.orphaned.count,
          audit.wrongVersion.count,
          audit.outOfSync.slice(0, 3).join(' ') || '-',
        ],
      ],
    );
    out.pointer(
      'packages/retriever/src/audit.ts',
      'desired (source) against actual (index): what the events cannot tell',
    );

    const dead = state.tombstones;
    const share = dead / (state.entries.size + dead);
    const graphBefore = graphStats(index);
    const compacted = await out.step(
      `Tombstones: ${dead} removals since the build (${fmt.pct(share)}); compact above ${fmt.pct(MAX_TOMBSTONE_SHARE)}`,
      () =>
        compactIndex({
          pool: services.pg,
          index,
          embedder,
          state,
          build,
          maxTombstoneShare: MAX_TOMBSTONE_SHARE,
        }),
    );
    index = compacted.index as HnswRetriever;
    const graphAfter = graphStats(index);
    out.table(
      ['graph', 'nodes', 'dead nodes', 'live vectors', 'bytes on disk'],
      [
        [
          'before compaction',
          graphBefore.nodes,
          graphBefore.dead,
          graphBefore.nodes - graphBefore.dead,
          fmt.num(graphBefore.bytes),
        ],
        ['after compaction', graphAfter.nodes, graphAfter.dead, index.size(), fmt.num(graphAfter.bytes)],
      ],
    );
    out.say(
      'hnswlib only marks a removed node deleted: it stays a waypoint for walks and its slot is reused by the ' +
        'next add, so updates do not grow the graph but deletes leave dead nodes until a rebuild.',
    );

    const last = sync.at(-1)!;
    const position = await readPosition(services.pg, state.consumer);
    const checks: Check[] = [
      check(
        CHECK.updates,
        after.updates.found === updated.length,
        `${after.updates.found} of ${updated.length} found`,
      ),
      check(
        CHECK.deletes,
        after.deletes.found === 0,
        `${after.deletes.found} of ${deleted.length} still returned`,
      ),
      check(
        CHECK.audit,
        audit.consistent,
        `stale ${audit.stale.count}, missing ${audit.missing.count}, orphaned ${audit.orphaned.count}`,
      ),
      check(
        CHECK.position,
        last.behind === 0 && last.error === null,
        `${last.behind} events behind seq ${position.seq}`,
      ),
      check(
        CHECK.compaction,
        graphAfter.dead === 0 && graphAfter.nodes === audit.sourceLive,
        `${graphAfter.nodes} nodes for ${audit.sourceLive} live documents, ${graphAfter.dead} dead`,
      ),
    ];
    return {
      checks,
      metrics: {
        documents: world.documents.length,
        updatesFound: after.updates.found,
        deletesReturned: after.deletes.found,
        auditStale: audit.stale.count,
        auditMissing: audit.missing.count,
        auditOrphaned: audit.orphaned.count,
        eventsBehind: last.behind,
        syncAttempts: sync.length,
        tombstoneShare: share,
        graphNodesBefore: graphBefore.nodes,
        graphNodesAfter: graphAfter.nodes,
        graphBytesBefore: graphBefore.bytes,
        graphBytesAfter: graphAfter.bytes,
      },
    };
  },
};

export default lab;
