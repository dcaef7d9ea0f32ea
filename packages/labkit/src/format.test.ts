import { describe, expect, it } from 'vitest';
import { check, fmt, timed, timedSync } from './format.ts';

describe('fmt', () => {
  it('formats p-values in scientific notation below 0.001 and with 3 decimals above', () => {
    expect(fmt.p(2.3e-12)).toBe('2.3e-12');
    expect(fmt.p(0.0412)).toBe('0.041');
    expect(fmt.p(0.5)).toBe('0.5');
    expect(fmt.p(1e-5)).toBe('1e-5');
    expect(fmt.p(0)).toBe('< 1e-300');
    expect(fmt.p(Number.NaN)).toBe('NaN');
  });

  it('formats ratios as percentages', () => {
    expect(fmt.pct(0.1234)).toBe('12.3%');
    expect(fmt.pct(1, 0)).toBe('100%');
  });

  it('formats durations at a fitting resolution', () => {
    expect(fmt.ms(0.4234)).toBe('0.42 ms');
    expect(fmt.ms(4.26)).toBe('4.3 ms');
    expect(fmt.ms(123.4)).toBe('123 ms');
    expect(fmt.ms(1234)).toBe('1.2 s');
    expect(fmt.ms(123_000)).toBe('2m 03s');
    expect(fmt.seconds(43_128)).toBe('12.0 h');
    expect(fmt.seconds(3 * 86_400 + 43_200)).toBe('3.5 d');
    expect(fmt.ms(-1234)).toBe('-1.2 s');
  });

  it('formats counts with an SI suffix from 10,000', () => {
    expect(fmt.count(8000)).toBe('8000');
    expect(fmt.count(16_401_616)).toBe('16.4 M');
    expect(fmt.count(200_000)).toBe('200 k');
    expect(fmt.count(50_000)).toBe('50 k');
    expect(fmt.count(12_345)).toBe('12.3 k');
    expect(fmt.count(2_100_000_000)).toBe('2.1 B');
    expect(fmt.count(999_999)).toBe('1 M');
  });

  it('formats plain numbers compactly', () => {
    expect(fmt.num(42)).toBe('42');
    expect(fmt.num(0.123456)).toBe('0.1235');
    expect(fmt.num(12345.678)).toBe('12345.7');
    expect(fmt.num(0.00001234)).toBe('1.23e-5');
    expect(fmt.num(2.5)).toBe('2.5');
    expect(fmt.ratio(3.21)).toBe('3.2×');
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
