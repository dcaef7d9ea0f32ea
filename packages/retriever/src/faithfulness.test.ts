/**
 * Tests of the extractive answerer and the lexical faithfulness checker (Q23): a quoted answer is
 * fully supported, a changed number or entity is not, half-supported answers score 0.5, and the
 * datagen corpus answers are found and verified end to end.
 */
import { generateCorpus } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { RetrieverError } from './errors.ts';
import {
  answerExtractively,
  checkFaithfulness,
  type FaithfulnessJudge,
  lexicalJudge,
  type Passage,
  splitSentences,
} from './faithfulness.ts';

const passages: Passage[] = [
  {
    id: 'p1',
    text: 'Korovi Melan Power works in energy. Korovi Melan Power was founded in 1987. It sells solar panels.',
  },
  { id: 'p2', text: 'Dorsul Teno Foods is based in Lisbon. Its bakery unit grew 3.5 percent last year.' },
];

describe('splitSentences', () => {
  it('splits after sentence punctuation but keeps decimals whole', () => {
    expect(splitSentences('It grew 3.5 percent. Then it stopped!  Why? ')).toEqual([
      'It grew 3.5 percent.',
      'Then it stopped!',
      'Why?',
    ]);
  });
});

describe('answerExtractively', () => {
  it('quotes the sentence sharing the most content words with the query', () => {
    const answer = answerExtractively('When was Korovi Melan Power founded?', passages);
    expect(answer.text).toBe('Korovi Melan Power was founded in 1987.');
    expect(answer.sources).toEqual([
      { passageId: 'p1', sentence: 'Korovi Melan Power was founded in 1987.', overlap: 4 },
    ]);
    const two = answerExtractively('Where is Dorsul Teno Foods based, and did its bakery grow?', passages, {
      sentences: 2,
    });
    expect(two.sources.map((s) => s.passageId)).toEqual(['p2', 'p2']);
    expect(two.text.startsWith('Dorsul Teno Foods is based in Lisbon.')).toBe(true);
  });

  it('returns an empty answer when nothing overlaps, and refuses an empty query', () => {
    expect(answerExtractively('copper quarry output', passages)).toEqual({ text: '', sources: [] });
    expect(() => answerExtractively('   ', passages)).toThrow(RetrieverError);
    expect(() => answerExtractively('when was it?', passages)).toThrow(/no content words/);
    expect(() => answerExtractively('solar', passages, { sentences: 0 })).toThrow(/sentences/);
  });
});

describe('checkFaithfulness', () => {
  it('scores a faithful extractive answer 1', () => {
    const answer = answerExtractively('When was Korovi Melan Power founded?', passages).text;
    const result = checkFaithfulness(answer, passages);
    expect(result.score).toBe(1);
    expect(result.claims).toEqual([
      { text: answer, supported: true, bestPassageId: 'p1', support: 1, mismatched: [] },
    ]);
  });

  it('rejects a claim whose number changed, however much else overlaps', () => {
    const result = checkFaithfulness('Korovi Melan Power was founded in 1978.', passages);
    expect(result.score).toBe(0);
    expect(result.claims[0]).toMatchObject({ supported: false, bestPassageId: 'p1', mismatched: ['1978'] });
    // Content words {korovi, melan, power, founded, 1978}: all but 1978 are in p1's second sentence.
    expect(result.claims[0].support).toBe(0.8);
  });

  it('rejects a claim whose entity changed', () => {
    const result = checkFaithfulness('Korovi Melan Foods was founded in 1987.', passages);
    expect(result.claims[0].supported).toBe(false);
    expect(result.claims[0].mismatched).toEqual(['foods']);
    // Paraphrase with the same facts and most content words is accepted.
    expect(checkFaithfulness('In 1987 Korovi Melan Power was founded.', passages).score).toBe(1);
  });

  it('scores an answer with one supported and one unsupported claim 0.5', () => {
    const answer = 'Dorsul Teno Foods is based in Lisbon. Dorsul Teno Foods is based in Oslo.';
    const result = checkFaithfulness(answer, passages);
    expect(result.score).toBe(0.5);
    expect(result.claims.map((c) => c.supported)).toEqual([true, false]);
    expect(result.claims[1].mismatched).toEqual(['oslo']);
  });

  it('scores an empty answer 1 with no claims, and an answer without passages 0', () => {
    expect(checkFaithfulness('', passages)).toEqual({ score: 1, claims: [] });
    const alone = checkFaithfulness('Korovi Melan Power was founded in 1987.', []);
    expect(alone.score).toBe(0);
    expect(alone.claims[0]).toMatchObject({ supported: false, bestPassageId: null, support: 0 });
  });

  it('applies the threshold to containment', () => {
    // Content words {korovi, melan, power, sells, solar, panels, cheaply}. No single sentence holds enough:
    // "Korovi Melan Power works in energy." has 3/7; "It sells solar panels." 3/7 and lacks the names.
    const claim = 'Korovi Melan Power sells solar panels cheaply.';
    expect(checkFaithfulness(claim, passages).claims[0].supported).toBe(false);
    const loose = checkFaithfulness('Korovi Melan Power was founded in 1987 by engineers.', passages, {
      threshold: 0.5,
    });
    expect(loose.score).toBe(1);
    expect(() => checkFaithfulness('x', passages, { threshold: 0 })).toThrow(RetrieverError);
    expect(() => checkFaithfulness('x', passages, { threshold: 1.5 })).toThrow(/threshold/);
  });

  it('sits behind the FaithfulnessJudge interface', async () => {
    const judge: FaithfulnessJudge = lexicalJudge({ threshold: 0.75 });
    const result = await judge.judge('Dorsul Teno Foods is based in Lisbon.', passages);
    expect(result.score).toBe(1);
  });
});

describe('on the datagen corpus', () => {
  it('answers each query from its answer-bearing document and verifies the answer', () => {
    const { documents, queries } = generateCorpus({ seed: 4, documents: 300, queries: 60 });
    const byId = new Map(documents.map((d) => [d.id, d]));
    for (const q of queries) {
      const ctx = Object.keys(q.relevance).map((id) => ({ id, text: byId.get(id)!.text }));
      const answer = answerExtractively(q.text, ctx);
      expect(answer.text).toBe(q.answer);
      expect(checkFaithfulness(answer.text, ctx).score).toBe(1);
      const wrong = answer.text.replace(/\d{4}/, (y) => String(Number(y) + 1));
      if (wrong !== answer.text) expect(checkFaithfulness(wrong, ctx).score).toBe(0);
    }
  });
});
