/**
 * The vector-search lab's checks and faults (Q21, Q22). Each fault is an option passed to the real
 * retriever (efSearch, the distance space) or a wrapper around its real search (post-filtering):
 * what a team changes in config, never a copy of the index.
 */
import type { LabBreak } from '@mlops-lab/labkit';
import { HNSW_DEFAULTS, type Space } from '@mlops-lab/retriever';

export const CHECK = {
  recall: 'HNSW recall@10 >= 0.95 against the exact scan at every size',
  faster: 'HNSW at least 2x the exact QPS at the largest size',
  metric: "the index's distance ranks like cosine on the embeddings' directions",
  filtered: 'a selective filtered query returns k matching results',
} as const;

export interface IndexConfig {
  space: Space;
  efSearch: number;
  /** Vectors keep the length the pipeline gave them instead of being L2-normalized. */
  unnormalized: boolean;
  /** Filter after the top-k search instead of inside it. */
  postFilter: boolean;
}

export function configFor(fault: string | null): IndexConfig {
  return {
    // Inner product equals cosine only on unit vectors: the fault keeps `ip` and drops the normalization.
    space: fault === 'unnormalized-cosine' ? 'ip' : 'cosine',
    efSearch: fault === 'low-ef' ? 4 : HNSW_DEFAULTS.efSearch,
    unnormalized: fault === 'unnormalized-cosine',
    postFilter: fault === 'filtered-starvation',
  };
}

export const BREAKS: LabBreak[] = [
  {
    name: 'low-ef',
    symptom: 'HNSW answers many times faster than before, and recall@10 falls far below 0.95',
    hint: 'what bounds how much of the graph one search looks at?',
    explanation:
      'efSearch was set to 4 (someone tuned for QPS). ef is the size of the candidate list the HNSW ' +
      'walk keeps: with 4 candidates and k = 10, the search stops at the first local neighbourhood it ' +
      'reaches and returns whatever it holds. QPS looks great because almost no distances are computed. ' +
      'ef must be at least k and is tuned against recall measured on your own data (Q21): the package ' +
      'default of 100 gives recall@10 >= 0.95 here, and the efSearch sweep in `pnpm bench retriever` ' +
      'shows the trade-off.',
    flips: [CHECK.recall],
  },
  {
    name: 'unnormalized-cosine',
    symptom: 'HNSW agrees with the exact scan, yet the top 10 are not the nearest in meaning',
    hint: 'which distance does the index use, and what length are the stored vectors?',
    explanation:
      'The index was created with space `ip` ("inner product is cosine, and faster") but the vectors are ' +
      'not L2-normalized: each keeps a length between about 0.3 and 3. Inner product is |a| |b| cos, so ' +
      'long vectors win regardless of direction, and the top 10 fill with points that merely have a big ' +
      'norm. The exact scan in the same space agrees, so recall against it looks fine: the index is ' +
      'right about the wrong question. Normalize on write and on query, or use the cosine space ' +
      '(hnswlib and ExactRetriever normalize for you; pgvector `<=>` computes the true cosine).',
    flips: [CHECK.metric],
  },
  {
    name: 'filtered-starvation',
    symptom: 'the filtered query returns 0 or 1 results where 10 were asked, without an error',
    hint: 'is the filter applied during the search or after it?',
    explanation:
      'The filter is applied after the search: take the top 10 nearest, then keep those of tenant ' +
      '`rare`. Less than 1% of points are `rare`, so the 10 nearest rarely contain any. Post-filtering ' +
      'needs about k / selectivity candidates. The fix lives in the index: HnswRetriever evaluates the ' +
      'filter inside the graph walk and widens ef (x4) until k items pass; pgvector >= 0.8 continues ' +
      'the index scan with `hnsw.iterative_scan` (Q21, Q22).',
    flips: [CHECK.filtered],
  },
];
