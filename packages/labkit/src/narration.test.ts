import { describe, expect, it } from 'vitest';
import { labelsAsRead, type NarrationLabel, normaliseLabel } from './narration.ts';

describe('normaliseLabel', () => {
  it('takes numbers and the units a formatter picks out, keeps the words', () => {
    expect(normaliseLabel('n = 1,000: 0.95 recall')).toBe('n = # recall');
    expect(normaliseLabel('latency 1.2 s')).toBe(normaliseLabel('latency 450 ms'));
    expect(normaliseLabel('16.4 M requests/month')).toBe(normaliseLabel('812 k requests/month'));
    expect(normaliseLabel('HNSW, filter in the walk')).not.toBe(normaliseLabel('HNSW top-k, then filter'));
  });
});

describe('labelsAsRead', () => {
  const labels: NarrationLabel[] = [
    { kind: 'step', text: 'Serve 2 weeks' },
    { kind: 'row', text: 'day 1' },
    { kind: 'row', text: 'day 2' },
    { kind: 'check', text: 'no alert under unit-change' },
  ];
  it('redacts the armed fault as the runner does, and keeps a repeated row label once', () => {
    expect(labelsAsRead(labels, 'unit-change')).toEqual([
      'step: Serve # weeks',
      'row: day #',
      'check: no alert under mystery',
    ]);
    expect(labelsAsRead(labels, null).at(-1)).toBe('check: no alert under unit-change');
  });
});
