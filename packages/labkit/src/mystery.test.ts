import { describe, expect, it } from 'vitest';
import { fakeLab } from './fakes.ts';
import { pickMystery, redactor } from './mystery.ts';

describe('pickMystery', () => {
  const { breaks } = fakeLab();

  it('is deterministic for a seed', () => {
    for (let seed = 0; seed < 20; seed++) expect(pickMystery(breaks, seed)).toBe(pickMystery(breaks, seed));
  });

  it('reaches every break across seeds', () => {
    const picked = new Set(Array.from({ length: 40 }, (_, seed) => pickMystery(breaks, seed).name));
    expect([...picked].sort()).toEqual(breaks.map((b) => b.name).sort());
  });

  it('refuses a lab without breaks', () => {
    expect(() => pickMystery([], 1)).toThrow(/no breaks/);
  });
});

describe('redactor', () => {
  it('hides every occurrence of the secret', () => {
    expect(redactor('bad-join')('bad-join broke; see bad-join')).toBe('mystery broke; see mystery');
    expect(redactor(null)('bad-join')).toBe('bad-join');
  });
});
