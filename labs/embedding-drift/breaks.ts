/**
 * The embedding-drift lab's checks and faults (Q25). Both faults sit in the serving path: the
 * deploy step's version guard (`detectMixedVersions`) and the query service, which either goes
 * through the IndexAlias (its version check included) or calls the raw retriever with its own encoder.
 */
import type { LabBreak } from '@mlops-lab/labkit';

export const CHECK = {
  mixedDrop: 'a half re-embedded index loses recall@10 (measured drop > 0.1 against v1)',
  refused: 'the mixed-version index is refused before it serves',
  upgrade: 'served recall@10 stays within 0.02 of the v1 baseline until the cutover',
  cutoverRule:
    'the cut-over meets the rule: v2 loses at most 0.02 recall@10 on the golden set, or v1 is retired and v2 keeps >= 0.90',
  migrated: 'recall@10 after the migration is within 0.02 of the v2 baseline',
  oneVersion: 'queries and index share one model version after the cutover',
  audit: 'the migrated index holds every live document, all at v2 (audit)',
} as const;

export interface ServingConfig {
  /** The deploy step runs detectMixedVersions and the service searches through the alias. */
  versionGuard: boolean;
  /** The query service embeds with the encoder it was deployed with and calls the raw retriever. */
  pinnedQueryModel: boolean;
}

export function configFor(fault: string | null): ServingConfig {
  return { versionGuard: fault !== 'mixed-versions', pinnedQueryModel: fault === 'query-model-mismatch' };
}

export const BREAKS: LabBreak[] = [
  {
    name: 'mixed-versions',
    symptom:
      'while the re-embedding job runs, recall@10 of the live service falls by about half; nothing errors',
    hint: 'which embedding versions does the serving index hold right now?',
    explanation:
      'The version guard was switched off ("it blocks our rolling re-embed"). The re-embedding job ' +
      'rewrites vectors in place, so the serving index holds v1 and v2 vectors at once. Vectors of two ' +
      'models live in unrelated spaces (the same text under v1 and v2 has cosine near 0), so whichever ' +
      'model embeds the query, half of the corpus is unreachable, and the search still returns 10 ' +
      'confident hits. One version per index: detectMixedVersions refuses a mixed one, and an upgrade ' +
      'builds a second index beside the first and swaps an alias (migrateEmbeddings) (Q25).',
    flips: [CHECK.refused, CHECK.upgrade],
  },
  {
    name: 'query-model-mismatch',
    symptom: 'right after the cutover to v2, recall@10 collapses to near zero; the index itself audits clean',
    hint: 'which model embeds the queries, and which one wrote the index?',
    explanation:
      'The query service keeps the encoder it was deployed with (v1) and calls the retriever directly, ' +
      "bypassing the alias's check that a query's version matches the index's. After the cutover the " +
      'index holds v2 vectors and the queries are v1: distances are noise, so every query gets ' +
      'unrelated documents. The migrated index is fine (the audit and the shadow comparison say so); ' +
      'the query side was never migrated. Carry the version with every vector and every query ' +
      '(embedVersioned), search through the alias, and roll query and index encoders together (Q25).',
    flips: [CHECK.migrated, CHECK.oneVersion],
  },
];
