import { describe, expect, it } from 'vitest';
import { check, fmt, timed, timedSync } from './format.ts';

/** Each formatting rule with its cases, [input, printed]: one table, one assertion that walks it. */
const RULES: { rule: string; format: (x: number) => string; cases: [number, string][] }[] = [
  {
    rule: 'p-values in scientific notation below 0.001 and with 3 decimals above',
    format: fmt.p,
    cases: [
      [2.3e-12, '2.3e-12'],
      [0.0412, '0.041'],
      [0.5, '0.5'],
      [1e-5, '1e-5'],
      [0, '< 1e-300'],
      [Number.NaN, 'NaN'],
    ],
  },
  { rule: 'ratios as percentages', format: fmt.pct, cases: [[0.1234, '12.3%']] },
  { rule: 'ratios as percentages, to 0 digits', format: (x) => fmt.pct(x, 0), cases: [[1, '100%']] },
  {
    rule: 'durations in ms at a fitting resolution',
    format: fmt.ms,
    cases: [
      [0.4234, '0.42 ms'],
      [4.26, '4.3 ms'],
      [123.4, '123 ms'],
      [1234, '1.2 s'],
      [123_000, '2m 03s'],
      [-1234, '-1.2 s'],
    ],
  },
  {
    rule: 'durations in seconds as ms does',
    format: fmt.seconds,
    cases: [
      [43_128, '12.0 h'],
      [3 * 86_400 + 43_200, '3.5 d'],
    ],
  },
  {
    rule: 'counts with an SI suffix from 10,000',
    format: fmt.count,
    cases: [
      [8000, '8000'],
      [16_401_616, '16.4 M'],
      [200_000, '200 k'],
      [50_000, '50 k'],
      [12_345, '12.3 k'],
      [2_100_000_000, '2.1 B'],
      [999_999, '1 M'],
    ],
  },
  {
    rule: 'plain numbers compactly',
    format: fmt.num,
    cases: [
      [42, '42'],
      [0.123456, '0.1235'],
      [12345.678, '12345.7'],
      [0.00001234, '1.23e-5'],
      [2.5, '2.5'],
    ],
  },
  { rule: 'factors with a times sign', format: fmt.ratio, cases: [[3.21, '3.2×']] },
];

describe.each(RULES)('fmt: $rule', ({ format, cases }) => {
  it.each(cases)('%d -> %s', (input, printed) => {
    expect(format(input)).toBe(printed);
  });
});

describe('check and timed', () => {
  it('builds a check with an empty detail by default', () => {
    expect(check('x', true)).toEqual({ name: 'x', passed: true, detail: '' });
  });

  it('measures async and sync work', async () => {
    const { result, ms } = await timed(() => new Promise<number>((r) => setTimeout(() => r(7), 20)));
    expect(result).toBe(7);
    expect(ms).toBeGreaterThanOrEqual(15);
    const sync = timedSync(() => 'ok');
    expect(sync.result).toBe('ok');
    expect(sync.ms).toBeGreaterThanOrEqual(0);
  });
});
