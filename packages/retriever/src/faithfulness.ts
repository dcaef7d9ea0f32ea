/**
 * Faithfulness of a generated answer to the retrieved passages, without an LLM (Q23: evaluate the
 * generation step separately from retrieval). The reference is ragas' faithfulness metric: split the
 * answer into claims, ask whether the retrieved context supports each one, and score
 * supported claims / total claims. ragas asks an LLM both questions; here a claim is one answer
 * sentence, and a passage sentence supports it when it contains most of the claim's content words
 * (containment >= threshold) AND every number and named token of the claim exactly, so "founded in
 * 1987" is not supported by "founded in 1978", however much else overlaps. Lexical checking misses
 * paraphrases, so it under-reports faithfulness for abstractive answers; an LLM judge can replace it
 * behind the `FaithfulnessJudge` interface.
 *
 * `answerExtractively` is the matching generator: it quotes the passage sentences that share the most
 * content words with the query, so it is faithful by construction and the lab can break it on purpose.
 */
import { RetrieverError } from './errors.ts';

export interface Passage {
  id: string;
  text: string;
}

export interface ClaimVerdict {
  text: string;
  supported: boolean;
  /** The passage holding the best supporting sentence (null when there is no passage sentence). */
  bestPassageId: string | null;
  /** Share of the claim's content words found in that sentence, 0..1. */
  support: number;
  /** Numbers and named tokens of the claim missing from that sentence (why a close match failed). */
  mismatched: string[];
}

export interface FaithfulnessResult {
  /** Supported claims / claims; 1 for an answer without claims (nothing unsupported was said). */
  score: number;
  claims: ClaimVerdict[];
}

/** What an LLM-based judge would implement; `lexicalJudge` is the local one. */
export interface FaithfulnessJudge {
  judge(answer: string, passages: readonly Passage[]): Promise<FaithfulnessResult> | FaithfulnessResult;
}

export interface FaithfulnessOptions {
  /** Minimum containment for support, in (0, 1] (default 0.75). */
  threshold?: number;
}

const STOPWORDS = new Set(
  (
    'a an and are as at be been by for from has have he her his i in is it its of on or our she ' +
    'that the their them they this to was were what when where which who why how with you your ' +
    'do does did not no yes can will would about into than then there these those also'
  ).split(' '),
);

const TOKEN = /[\p{L}\p{N}]+(?:[.,]\p{N}+)*/gu;

interface Analyzed {
  content: Set<string>;
  /** Numbers and capitalized non-stopword tokens, lowercased: these must match exactly. */
  hard: Set<string>;
  all: Set<string>;
}

function analyze(text: string): Analyzed {
  const content = new Set<string>();
  const hard = new Set<string>();
  const all = new Set<string>();
  for (const raw of text.match(TOKEN) ?? []) {
    const t = raw.toLowerCase();
    all.add(t);
    if (STOPWORDS.has(t)) continue;
    content.add(t);
    if (/\p{N}/u.test(raw) || /^\p{Lu}/u.test(raw)) hard.add(t);
  }
  return { content, hard, all };
}

/** Sentences: split after . ! ? followed by whitespace (so "3.5" and "1,000" stay whole). */
export function splitSentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

interface Candidate {
  passageId: string;
  sentence: string;
  analyzed: Analyzed;
}

function candidates(passages: readonly Passage[]): Candidate[] {
  const out: Candidate[] = [];
  for (const p of passages) {
    for (const sentence of splitSentences(p.text)) {
      out.push({ passageId: p.id, sentence, analyzed: analyze(sentence) });
    }
  }
  return out;
}

export interface ExtractiveAnswer {
  text: string;
  sources: { passageId: string; sentence: string; overlap: number }[];
}

/**
 * Quote the `sentences` passage sentences sharing the most content words with the query (ties go to
 * the earlier passage, i.e. the better-ranked one, then the earlier sentence). Sentences sharing
 * nothing are never quoted, so an off-topic context yields an empty answer rather than a wrong one.
 */
export function answerExtractively(
  query: string,
  passages: readonly Passage[],
  options: { sentences?: number } = {},
): ExtractiveAnswer {
  const wanted = options.sentences ?? 1;
  if (!Number.isSafeInteger(wanted) || wanted <= 0) {
    throw new RetrieverError(`answerExtractively: sentences must be a positive integer, got ${wanted}`);
  }
  const q = analyze(query).content;
  if (q.size === 0) throw new RetrieverError('answerExtractively: the query has no content words');
  const scored = candidates(passages).map((c, order) => {
    let overlap = 0;
    for (const t of c.analyzed.content) if (q.has(t)) overlap++;
    return { c, order, overlap };
  });
  const best = scored
    .filter((s) => s.overlap > 0)
    .sort((a, b) => b.overlap - a.overlap || a.order - b.order)
    .slice(0, wanted);
  return {
    text: best.map((s) => s.c.sentence).join(' '),
    sources: best.map((s) => ({ passageId: s.c.passageId, sentence: s.c.sentence, overlap: s.overlap })),
  };
}

function verdict(claim: string, pool: Candidate[], threshold: number): ClaimVerdict {
  const a = analyze(claim);
  let best: ClaimVerdict = { text: claim, supported: false, bestPassageId: null, support: 0, mismatched: [] };
  let bestKey = -1;
  for (const c of pool) {
    let shared = 0;
    for (const t of a.content) if (c.analyzed.content.has(t)) shared++;
    const support = a.content.size === 0 ? 0 : shared / a.content.size;
    const mismatched = [...a.hard].filter((t) => !c.analyzed.all.has(t));
    // A sentence with every hard token present beats any sentence missing one, then containment.
    const key = (mismatched.length === 0 ? 2 : 0) + support;
    if (key > bestKey) {
      bestKey = key;
      const supported = a.content.size > 0 && mismatched.length === 0 && support >= threshold;
      best = { text: claim, supported, bestPassageId: c.passageId, support, mismatched };
    }
  }
  return best;
}

/**
 * Score an answer against the retrieved passages: each answer sentence is a claim, supported when
 * some passage sentence supports it (see the file comment). A claim without content words ("Yes.")
 * cannot be verified and counts as unsupported.
 */
export function checkFaithfulness(
  answer: string,
  passages: readonly Passage[],
  options: FaithfulnessOptions = {},
): FaithfulnessResult {
  const threshold = options.threshold ?? 0.75;
  if (!(threshold > 0 && threshold <= 1)) {
    throw new RetrieverError(`checkFaithfulness: threshold must be in (0, 1], got ${threshold}`);
  }
  const pool = candidates(passages);
  const claims = splitSentences(answer).map((claim) => verdict(claim, pool, threshold));
  const supported = claims.filter((c) => c.supported).length;
  return { score: claims.length === 0 ? 1 : supported / claims.length, claims };
}

/** The lexical checker behind the judge interface, so a pipeline can swap in an LLM judge. */
export function lexicalJudge(options: FaithfulnessOptions = {}): FaithfulnessJudge {
  return { judge: (answer, passages) => checkFaithfulness(answer, passages, options) };
}
