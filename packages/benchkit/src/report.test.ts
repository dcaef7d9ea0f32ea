import { describe, expect, it } from 'vitest';
import { formatTable, num, type Report, ratios, report } from './report.ts';

function printed(r: Omit<Report, 'write'>) {
  const lines: string[] = [];
  const result = report({ ...r, write: (line) => lines.push(line) });
  return { lines, result, json: JSON.parse(lines.at(-1) ?? '') };
}

const timing: Omit<Report, 'write'> = {
  bench: 'demo',
  title: 'demo benchmark',
  columns: [
    { key: 'wall', unit: 'ms' },
    { key: 'cpu', unit: 'ms' },
  ],
  rows: [
    { label: 'floor', key: 'floor', values: { wall: 10, cpu: 20 } },
    { label: 'candidate', key: 'cand', vs: 'floor', values: { wall: 25, cpu: 10 }, note: 'target <= x3' },
    { label: 'unmeasured cpu', key: 'half', vs: 'floor', values: { wall: 5, cpu: Number.NaN } },
    { label: 'info only', values: { wall: 'n/a' } },
  ],
  json: { size: 7 },
};

describe('num', () => {
  it('keeps three significant digits and at most three decimals', () => {
    expect([1234.56, 123.4, 12.345, 1.2345, 0.012345, 3].map((x) => num(x))).toEqual([
      '1235',
      '123',
      '12.3',
      '1.23',
      '0.012',
      '3',
    ]);
    expect(num(1.23456, 4)).toBe('1.2346');
  });
});

describe('formatTable', () => {
  it('pads every column to its widest cell, right-aligning the marked ones', () => {
    expect(
      formatTable(
        ['name', 'n'],
        [
          ['a', '1'],
          ['long name', '100'],
        ],
        [false, true],
      ),
    ).toEqual(['  name         n', '  a            1', '  long name  100']);
  });
});

describe('report', () => {
  it('divides each row by its baseline on every column both have a number in', () => {
    const { result, json } = printed(timing);
    expect(result).toEqual({ cand: { vs: 'floor', wall: 2.5, cpu: 0.5 }, half: { vs: 'floor', wall: 0.5 } });
    // The JSON line: the bench, its own figures, and the same ratios.
    expect(json).toEqual({ bench: 'demo', size: 7, ratios: result });
  });

  it('prints the title, a header, one line per row with its ratio, and the JSON line last', () => {
    const { lines } = printed({ ...timing, notes: ['a note'] });
    expect(lines[0]).toBe('demo benchmark');
    expect(lines[1]).toMatch(/^ +wall +cpu +vs baseline$/);
    expect(lines[2]).toMatch(/^ {2}floor +10 ms +20 ms +baseline$/);
    expect(lines[3]).toMatch(/candidate +25 ms +10 ms +x2\.50 wall, x0\.500 cpu {2}target <= x3$/);
    // One ratio column in common: the ratio alone, no column name. NaN prints as a dash.
    expect(lines[4]).toMatch(/unmeasured cpu +5 ms +- +x0\.500$/);
    expect(lines[5]).toMatch(/info only +n\/a +-$/);
    expect(lines[6]).toBe('  a note');
    expect(lines).toHaveLength(8);
  });

  it('takes ratios only on the columns in ratioOn', () => {
    expect(ratios({ ...timing, ratioOn: ['cpu'] })).toEqual({
      cand: { vs: 'floor', cpu: 0.5 },
      half: { vs: 'floor' },
    });
  });

  it('refuses a row compared with a key no row has', () => {
    const rows = [{ label: 'x', vs: 'nobody', values: { wall: 1 } }];
    expect(() => ratios({ ...timing, rows })).toThrow(
      'row "x" is compared with "nobody", which is no row\'s key',
    );
  });
});
