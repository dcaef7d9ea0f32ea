/**
 * The rag-eval lab's checks (one per pipeline stage, plus the end-to-end score) and faults (Q23).
 * Each fault sits in a real code path: the chunker, the sync job's comparison, the generator.
 */
import type { LabBreak } from '@mlops-lab/labkit';

export const CHECK = {
  chunking: 'chunking: every fact sentence lies whole inside one chunk',
  freshness: 'index: every document is indexed at its current version',
  retrieval: 'retrieval: recall@10 of the answer-bearing document >= 0.85',
  faithfulness: 'generation: answers are supported by the current documents (faithfulness >= 0.95)',
  endToEnd: 'end to end: the answer states the gold fact for >= 80% of queries',
} as const;

/** Share of answers the faulty generator alters. */
export const ALTER_SHARE = 0.5;

export const BREAKS: LabBreak[] = [
  {
    name: 'chunking-bug',
    symptom: 'the end-to-end score drops while retrieval metrics barely move',
    hint: 'print the chunks of one document: do they start and end where sentences do?',
    explanation:
      'The chunker was switched to fixed 120-character windows "with a 20-character overlap", but the ' +
      'window advances by size + overlap instead of size - overlap: 20 characters between windows are ' +
      'never indexed, and every window starts and ends mid-sentence. Retrieval still finds the right ' +
      'document (the entity name survives in some window), but the fact sentence is cut, so the answer ' +
      'quotes half a fact. Chunk on sentence boundaries, and test the chunker: every sentence of the ' +
      'source must lie whole inside some chunk (Q23: evaluate each stage, not only the output).',
    flips: [CHECK.chunking, CHECK.endToEnd],
  },
  {
    name: 'stale-index',
    symptom: 'answers are confidently wrong about some companies; retrieval metrics look healthy',
    hint: 'compare the version of each document the index holds with the source',
    explanation:
      'The sync job re-indexes documents whose updatedAt is later than the time the index build ' +
      'finished. Edits made while the build ran carry an updatedAt before that time, so they are never ' +
      're-indexed: the index serves the old text, the generator faithfully quotes it, and the answer ' +
      'contradicts the current document. Compare each document with the version the index holds ' +
      '(per-document updatedAt or a content hash), not with a global build time (Q23, Q24).',
    flips: [CHECK.freshness, CHECK.faithfulness, CHECK.endToEnd],
  },
  {
    name: 'unfaithful-generator',
    symptom: 'half the answers state a year or a city that no retrieved passage contains',
    hint: 'retrieval is fine: check each answer claim against the passages it came from',
    explanation:
      'The generator rewrites the sentence it quotes and changes a number or a name on the way (what ' +
      'an LLM does when it "knows better" than its context). Retrieval metrics cannot see it; ' +
      'faithfulness (ragas: supported claims / claims) does, because "founded in 1987" is not supported ' +
      'by "founded in 1978". Score generation against the retrieved context, separately from retrieval.',
    flips: [CHECK.faithfulness, CHECK.endToEnd],
  },
];
