/**
 * Lab `embedding-drift` (Q25): the embedding model is upgraded from v1 to v2. Retrieval quality on
 * the golden set (recall@10, nDCG@10) for the v1 index, an index re-embedded in place halfway, a
 * clean v2 build, and the versioned migration: build the v2 index beside the serving one, shadow
 * compare overlap@10 on sample queries, swap the alias. Reference: Elasticsearch's
 * reindex-then-swap-alias; trec_eval's recall and nDCG.
 */
import { type Check, check, fmt, type LabDefinition } from '@mlops-lab/labkit';
import {
  auditIndex,
  detectMixedVersions,
  type Embedder,
  IndexAlias,
  IndexState,
  migrateEmbeddings,
  type SearchHit,
  syncIndex,
} from '@mlops-lab/retriever';
import { BREAKS, CHECK, configFor, type ServingConfig } from './breaks.ts';
import { type CutoverDecision, type CutoverRule, decideCutover } from './cutover.ts';
import {
  buildCorpus,
  buildFromSource,
  evaluate,
  halfOf,
  K,
  loadSource,
  newGraph,
  type Quality,
  V1,
  V2,
} from './world.ts';

/** Sample queries for the shadow comparison. */
const SHADOW_QUERIES = 20;
const TOLERANCE = 0.02;
/**
 * This scenario's cut-over rule (cutover.ts): an upgrade may cost at most TOLERANCE of recall@10; the
 * v1 embedding service is being shut down, so a larger loss is taken if v2 keeps the service's
 * recall@10 objective of 0.90 (the answer-bearing document in the top 10 for 9 queries in 10).
 */
const CUTOVER: CutoverRule = {
  maxDrop: TOLERANCE,
  oldRetired: `the ${V1.version} embedding service is being shut down (end of life)`,
  floor: 0.9,
};

/** What the decision step says: the rule, the paired comparison, and which branch decided. */
function describeCutover(d: CutoverDecision, v1: Quality, v2: Quality): string[] {
  const rule =
    `rule: cut over if ${V2.version} loses at most ${CUTOVER.maxDrop} recall@10 against ${V1.version} on the ` +
    `golden set; a larger loss only if ${V1.version} must go anyway and ${V2.version} keeps recall@10 >= ` +
    `${CUTOVER.floor.toFixed(2)}. Here ${CUTOVER.oldRetired ?? `${V1.version} may stay`}.`;
  const measured =
    `${V2.version} recall@10 ${v2.recall.toFixed(3)} vs ${V1.version} ${v1.recall.toFixed(3)}: a loss of ` +
    `${d.drop.toFixed(3)} (${d.lost} answer-bearing documents ${V1.version} found and ${V2.version} misses, ` +
    `${d.gained} the other way, of ${d.queries} queries); nDCG@10 ${v2.ndcg.toFixed(3)} vs ${v1.ndcg.toFixed(3)}.`;
  const verdict = {
    quality: `within ${CUTOVER.maxDrop}: cut over on quality.`,
    retired:
      `more than the ${CUTOVER.maxDrop} an upgrade may cost: cutting over only because ${V1.version} is ` +
      `retired, with ${V2.version} above the ${CUTOVER.floor.toFixed(2)} floor. The service gives up ${d.drop.toFixed(3)} ` +
      'recall@10 on this golden set; the upgrade is not an improvement here.',
    refused: `refused: ${V1.version} keeps serving, and the migration does not start.`,
  }[d.basis];
  return [rule, `${measured} Decision: ${verdict}`];
}

/**
 * The query service. Healthy, it searches through the alias, which embeds with the active index's
 * own model and refuses a mixed index or a query of another version. The faults call the raw
 * retriever: with the active index's model (no guard), or with the model the service was deployed with.
 */
function queryService(alias: IndexAlias, config: ServingConfig, deployedWith: Embedder) {
  const versions = new Set<string>();
  const search = async (text: string): Promise<SearchHit[]> => {
    const active = alias.current;
    const embedder = config.pinnedQueryModel ? deployedWith : active.embedder;
    versions.add(
      `${embedder.version} -> ${[...new Set([...active.state.entries.values()].map((p) => p.version))].join('+')}`,
    );
    if (config.versionGuard && !config.pinnedQueryModel) return alias.searchText(text, K);
    return active.retriever.search(embedder.embed(text), K);
  };
  return { search, versions };
}

const row = (name: string, model: string, q: Quality) => [
  name,
  model,
  q.recall.toFixed(3),
  q.ndcg.toFixed(3),
];
const QUALITY_HEADERS = ['index', 'query model -> vectors', 'recall@10 (grade 3)', 'nDCG@10'];

const lab: LabDefinition = {
  name: 'embedding-drift',
  title: 'An embedder upgrade: mixed versions break retrieval; versioned migration with shadow compare',
  questions: [25],
  needs: ['postgres'],
  breaks: BREAKS,
  async run({ quick, seed, fault, services, out }) {
    const config = configFor(fault);
    const corpus = buildCorpus(seed, quick);
    const n = corpus.documents.length;

    const v1State = new IndexState('search-api');
    const v1Index = { retriever: newGraph(seed)(), embedder: V1, state: v1State };
    await out.step(
      `Load ${fmt.num(n)} documents into Postgres and index them with ${V1.version}`,
      async () => {
        await loadSource(services, corpus);
        await syncIndex({
          pool: services.pg,
          index: v1Index.retriever,
          embedder: V1,
          state: v1State,
          waitMs: 15_000,
        });
      },
    );
    const alias = new IndexAlias(v1Index);
    const service = queryService(alias, config, V1);
    const v1 = await evaluate(corpus, service.search);
    out.say(
      `${corpus.queries.length} golden queries with graded judgments; every vector carries model_version ` +
        `(${V1.version} and ${V2.version} both have ${V1.dim} dimensions, so nothing stops them sharing an index)`,
    );
    out.pointer(
      'packages/retriever/src/embedder.ts',
      'the version label, and why two versions are not comparable',
    );

    const v2Clean = await out.step(`Reference: a clean ${V2.version} build of the same documents`, () =>
      buildFromSource(services, seed, 'reference@v2', () => V2, V2),
    );
    const v2 = await evaluate(corpus, (t) => Promise.resolve(v2Clean.retriever.search(V2.embed(t), K)));

    const rewritten = halfOf(corpus, seed);
    const mixed = await out.step(
      `The shortcut: re-embed in place, stopped halfway (${rewritten.size} of ${n} documents at ${V2.version})`,
      () => buildFromSource(services, seed, 'in-place', (id) => (rewritten.has(id) ? V2 : V1), V2),
    );
    // Measured on the raw retriever, whatever the guard says: what this index would serve.
    const mixedByV1 = await evaluate(corpus, async (t) => mixed.retriever.search(V1.embed(t), K));
    const mixedByV2 = await evaluate(corpus, async (t) => mixed.retriever.search(V2.embed(t), K));
    out.say(
      `a clean ${V2.version} build scores recall@10 ${v2.recall.toFixed(3)} (${V1.version}: ${v1.recall.toFixed(3)}): ` +
        'the migrated index is judged against a clean build of the new model, not against the old one',
    );
    out.table(QUALITY_HEADERS, [
      row('serving', `${V1.version} -> ${V1.version}`, v1),
      row('half re-embedded', `${V1.version} -> both`, mixedByV1),
      row('half re-embedded', `${V2.version} -> both`, mixedByV2),
      row('clean build', `${V2.version} -> ${V2.version}`, v2),
    ]);

    let promoted = false;
    await out.step('Deploy the half re-embedded index behind the alias?', async () => {
      if (config.versionGuard) {
        try {
          detectMixedVersions(mixed.state);
        } catch (error) {
          out.say(`refused: ${(error as Error).message}`);
          return;
        }
      }
      alias.swap(mixed);
      promoted = true;
      out.say('deployed: the alias now points at the half re-embedded index');
    });
    service.versions.clear();
    const during = await evaluate(corpus, service.search);
    const duringVersions = [...service.versions].join(', ');
    out.say(
      `served recall@10 during the upgrade: ${during.recall.toFixed(3)} (v1 baseline ${v1.recall.toFixed(3)})`,
    );
    if (promoted) {
      alias.swap(v1Index);
      out.say('rolled back to the v1 index: migrateEmbeddings refuses a mixed source');
    }
    out.pointer(
      'packages/retriever/src/migration.ts',
      'detectMixedVersions and IndexAlias.search: the two refusals',
    );

    const decision = decideCutover(v1.perQueryRecall, v2.perQueryRecall, CUTOVER);
    out.step(`Decide the cut-over on the golden set: ${V1.version} or ${V2.version}?`);
    for (const line of describeCutover(decision, v1, v2)) out.say(line);
    out.pointer('labs/embedding-drift/cutover.ts', 'the cut-over rule, decided before the migration starts');

    const checks: Check[] = [
      check(
        CHECK.mixedDrop,
        v1.recall - Math.max(mixedByV1.recall, mixedByV2.recall) > 0.1,
        `v1 ${v1.recall.toFixed(3)}; mixed ${mixedByV1.recall.toFixed(3)} (v1 queries), ${mixedByV2.recall.toFixed(3)} (v2 queries)`,
      ),
      check(
        CHECK.refused,
        !promoted,
        promoted ? 'the mixed index was deployed' : 'detectMixedVersions refused it',
      ),
      check(
        CHECK.upgrade,
        during.recall >= v1.recall - TOLERANCE,
        `${during.recall.toFixed(3)} served vs ${v1.recall.toFixed(3)} v1 baseline`,
      ),
      check(
        CHECK.cutoverRule,
        decision.cutover,
        `${decision.basis}: loss ${decision.drop.toFixed(3)} (${decision.lost} lost, ${decision.gained} gained of ${decision.queries})`,
      ),
    ];
    const baseMetrics = {
      documents: n,
      queries: corpus.queries.length,
      recallV1: v1.recall,
      recallV2Clean: v2.recall,
      recallMixedV1Queries: mixedByV1.recall,
      recallMixedV2Queries: mixedByV2.recall,
      recallDuringUpgrade: during.recall,
      ndcgV1: v1.ndcg,
    };
    if (!decision.cutover) {
      const notRun = `not run: the cut-over rule kept ${V1.version}`;
      checks.push(
        ...[CHECK.migrated, CHECK.oneVersion, CHECK.audit].map((name) => check(name, false, notRun)),
      );
      return { checks, metrics: baseMetrics };
    }

    const sample = corpus.queries.slice(0, SHADOW_QUERIES);
    const migration = await out.step(
      `Migrate: build ${V2.version} beside ${V1.version}, catch up from the feed, shadow compare, cut over`,
      () =>
        migrateEmbeddings({
          source: { pool: services.pg },
          oldIndex: alias,
          newEmbedder: V2,
          buildIndex: newGraph(seed),
          sampleQueries: sample.map((q) => q.text),
          k: K,
        }),
    );
    // The answer-bearing document is the gate that matters; overlap between two models is an early warning.
    let kept = 0;
    for (const q of sample) {
      const answer = Object.keys(q.relevance).find((id) => q.relevance[id] === 3);
      const hits = await migration.index.retriever.search(V2.embed(q.text), K);
      if (hits.some((h) => h.id === answer)) kept++;
    }
    out.table(
      [
        'documents',
        'build + catch-up',
        'shadow queries',
        'mean overlap@10',
        'lowest overlap@10',
        'answer in new top 10',
      ],
      [
        [
          migration.documents,
          fmt.ms(migration.buildMs),
          sample.length,
          (migration.overlap ?? 0).toFixed(3),
          Math.min(...migration.perQueryOverlap).toFixed(3),
          `${kept} / ${sample.length}`,
        ],
      ],
    );
    out.say(
      'two models rank the many same-topic documents differently, so overlap is modest even when both are ' +
        'right; the golden set decides the cutover, overlap only warns of a broken build.',
    );

    service.versions.clear();
    const afterCutover = await evaluate(corpus, service.search);
    const indexVersion = detectMixedVersions(alias.current.state);
    const audit = await auditIndex({
      pool: services.pg,
      index: alias.current.retriever,
      embedder: V2,
      state: alias.current.state,
    });
    out.step('Recall at every stage, as the service saw it');
    out.table(QUALITY_HEADERS, [
      row(`v1 (baseline)`, `${V1.version} -> ${V1.version}`, v1),
      row('served during the upgrade', duringVersions, during),
      row('clean v2 build', `${V2.version} -> ${V2.version}`, v2),
      row('served after the cutover', [...service.versions].join(', '), afterCutover),
    ]);
    out.pointer(
      'packages/retriever/src/audit.ts',
      'wrongVersion: vectors of another model than the embedder given',
    );

    const queryVersions = [...service.versions];
    checks.push(
      check(
        CHECK.migrated,
        Math.abs(afterCutover.recall - v2.recall) <= TOLERANCE,
        `${afterCutover.recall.toFixed(3)} after vs ${v2.recall.toFixed(3)} clean v2`,
      ),
      check(
        CHECK.oneVersion,
        queryVersions.length === 1 && queryVersions[0] === `${indexVersion} -> ${indexVersion}`,
        `query -> index: ${queryVersions.join(', ')}`,
      ),
      check(
        CHECK.audit,
        audit.consistent && audit.indexed === audit.sourceLive,
        `${audit.indexed} of ${audit.sourceLive} indexed, wrong version ${audit.wrongVersion.count}, stale ${audit.stale.count}`,
      ),
    );
    return {
      checks,
      metrics: {
        ...baseMetrics,
        recallAfterCutover: afterCutover.recall,
        ndcgAfterCutover: afterCutover.ndcg,
        shadowOverlapAt10: migration.overlap ?? null,
        shadowAnswerKept: kept / sample.length,
      },
    };
  },
};

export default lab;
