/**
 * Lab `rag-eval` (Q23): a retrieval-augmented answering pipeline scored stage by stage on a golden set.
 * Chunking (are facts whole?), index freshness (does it hold the current text?), retrieval (recall@10,
 * MRR@10, nDCG@10 with trec_eval's definitions), generation (faithfulness to the current documents,
 * as ragas scores it) and the end-to-end score (does the answer state the gold fact?). The end-to-end
 * score drops under every fault; the stage metrics say which stage broke.
 */
import { createRng, mixSeed } from '@mlops-lab/datagen';
import { type Check, check, fmt, type LabDefinition } from '@mlops-lab/labkit';
import {
  answerExtractively,
  checkFaithfulness,
  evaluateRun,
  ndcgByGrade,
  topKDistinct,
} from '@mlops-lab/retriever';
import { ALTER_SHARE, BREAKS, CHECK } from './breaks.ts';
import { ChunkIndex, chunkByChars, chunkBySentence, currentPassages, syncIndex } from './pipeline.ts';
import { BUILD_END, buildWorld } from './world.ts';

const K = 10;
const CITIES = ['Lisbon', 'Oslo', 'Denver', 'Osaka', 'Nairobi', 'Lyon'];

/** The faulty generator's rewrite: a different year or city in the quoted sentence. */
function alter(answer: string, rng: ReturnType<typeof createRng>): string {
  return answer
    .replace(/\b(1[89]\d\d|20\d\d)\b/, (y) => String(Number(y) - rng.int(1, 5)))
    .replace(/based in (\w+)/, (_, c) => `based in ${CITIES.find((x) => x !== c)}`);
}

const lab: LabDefinition = {
  name: 'rag-eval',
  title: 'Evaluating RAG stage by stage: the end-to-end score hides the broken stage',
  questions: [23],
  needs: [], // everything runs in memory
  breaks: BREAKS,
  async run({ quick, seed, fault, out }) {
    const world = buildWorld(seed, quick);
    const { queries } = world.corpus;
    const byId = new Map(world.current.map((d) => [d.id, d]));
    out.step('Generate a corpus with a golden set (graded relevance, gold answers)');
    out.say(
      `${world.current.length} documents, ${queries.length} queries; ${world.edited.size} documents ` +
        'were edited in the source while the index was being built',
    );

    const chunker =
      fault === 'chunking-bug'
        ? (t: string) => chunkByChars(t, 120, 20, true)
        : (t: string) => chunkBySentence(t, 160);
    const index = await out.step('Chunk, embed (hashed n-grams, 256-d) and index the snapshot', async () => {
      const ix = new ChunkIndex(chunker);
      for (const doc of world.snapshot) ix.upsert(doc);
      return ix;
    });
    const synced = syncIndex(index, world.current, BUILD_END, fault === 'stale-index');
    out.say(`${index.chunks.size} chunks; the sync job re-indexed ${synced} changed documents`);
    const example = world.snapshot[0];
    out.say(
      `chunks of ${example.id}: ${index
        .chunksOf(example.id)
        .map((c) => JSON.stringify(c))
        .join(' | ')}`,
    );
    out.pointer('labs/rag-eval/pipeline.ts', 'the chunkers and the sync job');

    // Stage checks that need no query: is every fact whole in a chunk, is every document current?
    const indexedText = (id: string) => index.chunksOf(id);
    let facts = 0;
    let whole = 0;
    for (const doc of world.snapshot) {
      const source = index.versions.get(doc.id) === byId.get(doc.id)!.updatedAt ? byId.get(doc.id)! : doc;
      for (const f of source.facts) {
        facts++;
        if (indexedText(doc.id).some((c) => c.includes(f))) whole++;
      }
    }
    const stale = world.current.filter((d) => index.versions.get(d.id) !== d.updatedAt).length;

    const rng = createRng(mixSeed(seed, 'rag-eval', 'generator'));
    const rows = await out.step(`Answer the golden set: top ${K} chunks -> extractive answer`, async () =>
      queries.map((q) => {
        const hits = index.search(q.text, K);
        const docs = topKDistinct(
          hits.map((h) => h.docId),
          K,
        );
        let answer = answerExtractively(q.text, hits, { sentences: 1 }).text;
        if (fault === 'unfaithful-generator' && rng.next() < ALTER_SHARE) answer = alter(answer, rng);
        const faith = checkFaithfulness(answer, currentPassages(docs, byId)).score;
        return { q, docs, answer, faith, correct: answer.includes(q.answer) };
      }),
    );
    const run = Object.fromEntries(rows.map((r) => [r.q.id, r.docs]));
    const qrels = Object.fromEntries(queries.map((q) => [q.id, q.relevance]));
    const strict = evaluateRun(run, qrels, K, { minGrade: 3 }).mean;
    const graded = evaluateRun(run, qrels, K).mean;
    const faithfulness = rows.reduce((a, r) => a + r.faith, 0) / rows.length;
    const endToEnd = rows.filter((r) => r.correct).length / rows.length;
    out.pointer('packages/retriever/src/metrics.ts', "trec_eval's recall_k, recip_rank, ndcg_cut_k");
    out.pointer(
      'packages/retriever/src/faithfulness.ts',
      'claims, support, and why numbers must match exactly',
    );

    out.step('Score each stage');
    out.table(
      ['stage', 'metric', 'value'],
      [
        ['chunking', 'fact sentences whole in one chunk', fmt.pct(whole / facts)],
        [
          'index',
          'documents at their current version',
          `${world.current.length - stale} / ${world.current.length}`,
        ],
        ['retrieval', 'recall@10 (answer-bearing doc)', strict.recall.toFixed(3)],
        ['retrieval', 'MRR@10 (answer-bearing doc)', strict.mrr.toFixed(3)],
        ['retrieval', 'nDCG@10 (grades 1-3)', graded.ndcg.toFixed(3)],
        ['generation', 'faithfulness to the current documents', faithfulness.toFixed(3)],
        ['end to end', 'answer states the gold fact', fmt.pct(endToEnd)],
      ],
    );
    const wrong = rows.find((r) => !r.correct && r.docs.includes(Object.keys(r.q.relevance)[0]));
    if (wrong)
      out.say(
        `e.g. ${wrong.q.text}\n   answered: ${JSON.stringify(wrong.answer)}\n   gold: ${JSON.stringify(wrong.q.answer)}`,
      );
    out.say(
      'The end-to-end score alone says only that something broke. Each stage metric is computed from ' +
        'that stage’s own input and output, so the first one out of line is where to look.',
    );

    // Why nDCG sits far below recall: its split by grade, from this run (metrics-breakdown.ts).
    const gap = ndcgByGrade(run, qrels, K);
    const byGrade = (g: number) => gap.grades.find((r) => r.grade === g)!;
    const [answer, close, topic] = [byGrade(3), byGrade(2), byGrade(1)];
    out.table(
      [
        'grade',
        'judged per query',
        `in the top ${K}`,
        'mean rank if found',
        'share of ideal DCG',
        `adds to nDCG@${K}`,
      ],
      gap.grades.map((r) => [
        r.grade,
        r.judgedPerQuery.toFixed(2),
        fmt.pct(r.foundShare),
        Number.isNaN(r.meanRankFound) ? '-' : r.meanRankFound.toFixed(1),
        fmt.pct(r.idealShare),
        r.ndcgContribution.toFixed(3),
      ]),
    );
    out.say(
      `Why nDCG@${K} is ${graded.ndcg.toFixed(3)} when recall@${K} is ${strict.recall.toFixed(3)}: recall counts ` +
        'only the grade-3 (answer-bearing) document. nDCG divides the DCG of the run by that of the ideal ' +
        `ranking: the grade-3 document, then the ${close.judgedPerQuery.toFixed(1)} grade-2 and ` +
        `${topic.judgedPerQuery.toFixed(1)} grade-1 documents judged per query (ideal DCG@${K} ` +
        `${gap.meanIdealDcg.toFixed(2)} on average; the grade-3 document holds ${fmt.pct(answer.idealShare)} of ` +
        `a query's ideal). The run has the grade-3 document in its top ${K} for ${fmt.pct(answer.foundShare)} ` +
        `of queries, at mean rank ${answer.meanRankFound.toFixed(1)}: worth ${answer.ndcgContribution.toFixed(3)}.`,
    );
    out.say(
      'The grade-2 and grade-1 documents are other companies of the same focus or topic, which a query ' +
        `naming one company rarely pulls up: ${fmt.pct(close.foundShare)} and ${fmt.pct(topic.foundShare)} of ` +
        `them are in the top ${K}, worth ${close.ndcgContribution.toFixed(3)} and ` +
        `${topic.ndcgContribution.toFixed(3)}. Ranking the answer first every time and nothing else would ` +
        `score ${answer.idealShare.toFixed(3)}: nDCG is low because the related documents are missing, not ` +
        'because the answer ranks low.',
    );
    out.pointer(
      'packages/retriever/src/metrics-breakdown.ts',
      'nDCG split by grade: DCG and ideal DCG per grade',
    );

    const checks: Check[] = [
      check(CHECK.chunking, whole === facts, `${whole} of ${facts} fact sentences whole`),
      check(CHECK.freshness, stale === 0, `${stale} documents indexed at an older version`),
      check(
        CHECK.retrieval,
        strict.recall >= 0.85,
        `recall@10 ${strict.recall.toFixed(3)}, MRR@10 ${strict.mrr.toFixed(3)}`,
      ),
      check(CHECK.faithfulness, faithfulness >= 0.95, `mean faithfulness ${faithfulness.toFixed(3)}`),
      check(
        CHECK.endToEnd,
        endToEnd >= 0.8,
        `${fmt.pct(endToEnd)} of ${rows.length} answers state the gold fact`,
      ),
    ];
    return {
      checks,
      metrics: {
        chunks: index.chunks.size,
        factsWhole: whole / facts,
        staleDocuments: stale,
        recallAt10: strict.recall,
        mrrAt10: strict.mrr,
        ndcgAt10: graded.ndcg,
        faithfulness,
        endToEnd: endToEnd,
      },
    };
  },
};

export default lab;
