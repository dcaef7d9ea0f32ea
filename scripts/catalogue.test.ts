/**
 * The catalogue covers the whole source guide: every question Q1-Q35 is shown by at least one lab,
 * and every lab names only questions that exist, each once.
 */
import { describe, expect, it } from 'vitest';
import { catalogue } from './catalogue.ts';

const QUESTIONS = Array.from({ length: 35 }, (_, i) => i + 1);

describe('lab catalogue', () => {
  it('shows every question Q1-Q35 in at least one lab', () => {
    const shown = new Set(catalogue.flatMap((lab) => lab.questions));
    expect(QUESTIONS.filter((q) => !shown.has(q))).toEqual([]);
  });

  it('names only questions 1..35, without repeats, and every lab has a unique name', () => {
    for (const lab of catalogue) {
      expect(
        lab.questions.filter((q) => !QUESTIONS.includes(q)),
        lab.name,
      ).toEqual([]);
      expect(new Set(lab.questions).size, lab.name).toBe(lab.questions.length);
    }
    expect(new Set(catalogue.map((l) => l.name)).size).toBe(catalogue.length);
  });
});
