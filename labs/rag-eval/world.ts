/**
 * The rag-eval lab's world (Q23): a seeded corpus with graded queries (@mlops-lab/datagen), then a
 * round of edits in the source while the index is being built: some companies move city or get a
 * corrected founding year. The golden answers follow the current documents.
 */
import { type Corpus, type CorpusDocument, createRng, generateCorpus, mixSeed } from '@mlops-lab/datagen';

export const SIZE = { quick: { documents: 1500, queries: 150 }, full: { documents: 6000, queries: 400 } };
/** Share of documents edited during the build. */
export const EDIT_SHARE = 0.4;
export const BUILD_START = Date.UTC(2025, 0, 1);
export const BUILD_END = BUILD_START + 3_600_000;

const CITIES = ['Reykjavik', 'Valparaiso', 'Tbilisi', 'Windhoek', 'Trondheim', 'Hobart'];

export interface World {
  /** The documents as the index build read them. */
  snapshot: CorpusDocument[];
  /** The documents now (after the edits). */
  current: CorpusDocument[];
  corpus: Corpus;
  edited: Set<string>;
}

export function buildWorld(seed: number, quick: boolean): World {
  const corpus = generateCorpus({ seed, ...(quick ? SIZE.quick : SIZE.full) });
  const snapshot = corpus.documents;
  const rng = createRng(mixSeed(seed, 'rag-eval', 'edits'));
  const edited = new Set<string>();
  const current = snapshot.map((doc) => {
    if (rng.next() >= EDIT_SHARE) return doc;
    edited.add(doc.id);
    const facts = doc.facts.map((f) =>
      f
        .replace(/founded in (\d{4})/, (_, y) => `founded in ${Number(y) + rng.int(1, 9)}`)
        .replace(/based in \w+/, () => `based in ${CITIES[rng.int(0, CITIES.length - 1)]}`),
    );
    let text = doc.text;
    doc.facts.forEach((f, i) => {
      text = text.replace(f, facts[i]);
    });
    // Edited during the build: after it started, before it finished.
    const updatedAt = BUILD_START + rng.int(60_000, BUILD_END - BUILD_START - 60_000);
    return { ...doc, text, facts, updatedAt };
  });
  const byId = new Map(current.map((d) => [d.id, d]));
  const queries = corpus.queries.map((q) => {
    const answerDoc = Object.keys(q.relevance).find((id) => q.relevance[id] === 3)!;
    const before = snapshot.find((d) => d.id === answerDoc)!;
    return { ...q, answer: byId.get(answerDoc)!.facts[before.facts.indexOf(q.answer)] };
  });
  return { snapshot, current, corpus: { documents: current, queries }, edited };
}
