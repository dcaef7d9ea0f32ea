/**
 * Tests of the document world (Q23): determinism, relevance grades, facts in every document,
 * lexical separability of topics, speed, and input validation.
 */
import { describe, expect, it } from 'vitest';
import { generateCorpus, TOPICS } from './corpus.ts';
import { DatagenInputError } from './rng.ts';

const corpus = generateCorpus({ seed: 7, documents: 2000, queries: 300 });

describe('determinism', () => {
  it('gives deep-equal output for the same spec and different output for another seed', () => {
    expect(generateCorpus({ seed: 3, documents: 500, queries: 50 })).toEqual(
      generateCorpus({ seed: 3, documents: 500, queries: 50 }),
    );
    const other = generateCorpus({ seed: 4, documents: 500, queries: 50 });
    const same = generateCorpus({ seed: 3, documents: 500, queries: 50 });
    const differing = same.documents.filter((d, i) => d.text !== other.documents[i].text).length;
    expect(differing).toBeGreaterThan(450);
  });

  it('keeps documents unchanged when only the number of queries changes', () => {
    const a = generateCorpus({ seed: 9, documents: 300, queries: 10 });
    const b = generateCorpus({ seed: 9, documents: 300, queries: 200 });
    expect(b.documents).toEqual(a.documents);
    expect(b.queries.slice(0, 10)).toEqual(a.queries);
  });
});

describe('documents', () => {
  it('has unique ids and entities, and timestamps within the two-year window', () => {
    const big = generateCorpus({ seed: 1, documents: 10_000, queries: 0 });
    expect(new Set(big.documents.map((d) => d.id)).size).toBe(10_000);
    expect(new Set(big.documents.map((d) => d.entity)).size).toBe(10_000);
    for (const d of big.documents) {
      expect(Number.isInteger(d.updatedAt)).toBe(true);
      expect(d.updatedAt).toBeGreaterThanOrEqual(Date.UTC(2023, 0, 1));
      expect(d.updatedAt).toBeLessThan(Date.UTC(2025, 0, 1));
    }
  });

  it('contains one or two fact sentences verbatim in each text', () => {
    let twoFacts = 0;
    for (const d of corpus.documents) {
      expect(d.facts.length === 1 || d.facts.length === 2).toBe(true);
      expect(d.facts[0]).toMatch(new RegExp(`^${d.entity} was founded in \\d{4}\\.$`));
      for (const fact of d.facts) expect(d.text).toContain(fact);
      if (d.facts.length === 2) twoFacts++;
    }
    expect(twoFacts / corpus.documents.length).toBeGreaterThan(0.4);
    expect(twoFacts / corpus.documents.length).toBeLessThan(0.6);
  });

  it('uses only the first `topics` topics, and topic vocabularies share no word', () => {
    const three = generateCorpus({ seed: 2, documents: 300, queries: 0, topics: 3 });
    const allowed = new Set(TOPICS.slice(0, 3).map((tp) => tp.name));
    expect(new Set(three.documents.map((d) => d.topic))).toEqual(allowed);
    const seen = new Map<string, string>();
    for (const tp of TOPICS) {
      for (const w of [...tp.focus, ...tp.words]) {
        expect(seen.get(w) ?? tp.name).toBe(tp.name);
        seen.set(w, tp.name);
      }
    }
  });
});

describe('queries', () => {
  it('grades judged documents 1..3 with exactly one grade-3 document that states the answer', () => {
    const byId = new Map(corpus.documents.map((d) => [d.id, d]));
    for (const q of corpus.queries) {
      const grades = Object.entries(q.relevance);
      expect(grades.length).toBeGreaterThanOrEqual(2);
      const answerBearing = grades.filter(([, g]) => g === 3);
      expect(answerBearing).toHaveLength(1);
      for (const [id, g] of grades) {
        expect([1, 2, 3]).toContain(g);
        expect(byId.get(id)?.topic).toBe(byId.get(answerBearing[0][0])?.topic);
      }
      const doc = byId.get(answerBearing[0][0])!;
      expect(doc.facts).toContain(q.answer);
      expect(q.text).toContain(doc.entity);
    }
  });

  it('leaves most documents unjudged', () => {
    for (const q of corpus.queries) expect(Object.keys(q.relevance).length).toBeLessThanOrEqual(5);
  });
});

describe('validation', () => {
  it('refuses bad counts with DatagenInputError', () => {
    expect(() => generateCorpus({ seed: 1, documents: -1, queries: 0 })).toThrow(DatagenInputError);
    expect(() => generateCorpus({ seed: 1, documents: 1.5, queries: 0 })).toThrow(DatagenInputError);
    expect(() => generateCorpus({ seed: 1, documents: 0, queries: 3 })).toThrow(/at least one document/);
    expect(() => generateCorpus({ seed: 1, documents: 5, queries: 1, topics: 0 })).toThrow(DatagenInputError);
    expect(() => generateCorpus({ seed: 1, documents: 5, queries: 1, topics: 13 })).toThrow(
      DatagenInputError,
    );
  });
});
