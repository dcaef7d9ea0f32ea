import { describe, expect, it } from 'vitest';
import { capture } from './fakes.ts';
import { ConsoleNarrator } from './narrator.ts';
import { DEFAULT_COLUMNS, fitColumns, lineWidth, renderTable, visibleLength, wrapText } from './table.ts';

describe('fitColumns', () => {
  it('keeps natural widths that fit, and narrows the widest columns first', () => {
    expect(fitColumns([10, 20], 40)).toEqual([10, 20]);
    // budget 40 - 4 borders = 36: the 10 stays, 60 and 30 share a cap of 13.
    const widths = fitColumns([10, 60, 30], 40);
    expect(widths[0]).toBe(10);
    expect(widths.reduce((a, b) => a + b, 0)).toBe(36);
    expect(widths[1]).toBeGreaterThanOrEqual(widths[2] - 1);
  });
});

describe('wrapText', () => {
  it('wraps on spaces and breaks a word longer than the line', () => {
    expect(wrapText('the quick brown fox', 9)).toEqual(['the quick', 'brown fox']);
    expect(wrapText('{"amount":12.5,"country":"DE"}', 10)).toEqual([
      '{"amount":',
      '12.5,"coun',
      'try":"DE"}',
    ]);
  });
});

describe('lineWidth', () => {
  it('takes a terminal its size, a pipe COLUMNS or the default', () => {
    expect(lineWidth({ isTTY: true, columns: 132 }, {})).toBe(132);
    expect(lineWidth({ isTTY: false }, { COLUMNS: '72' })).toBe(72);
    expect(lineWidth({ isTTY: true, columns: 0 }, {})).toBe(DEFAULT_COLUMNS);
    expect(lineWidth(null, {})).toBe(DEFAULT_COLUMNS);
  });
});

describe('renderTable', () => {
  const headers = ['variant', 'p50', 'example reply'];
  const rows = [
    ['batched at 32', '1.2 ms', 'a long reply that will not fit in one narrow column of the table'],
    ['one by one', '0.4 ms', '{"score":0.12,"model":"payments-fraud","version":3,"latencyMs":0.42}'],
  ];

  it('fits every line in the width and loses no character of any cell', () => {
    const text = renderTable(headers, rows, { width: 50, rightAligned: [false, false, false] });
    const lines = text.split('\n');
    for (const l of lines) expect(visibleLength(l)).toBeLessThanOrEqual(50);
    const squeezed = text.replace(/[│┌┐└┘├┤┬┴┼─\s]/g, '');
    for (const cell of rows.flat()) expect(squeezed).toContain(cell.replace(/\s/g, ''));
  });

  it('wraps headers at their words before it wraps a cell', () => {
    const h = ['n', 'HNSW recall@10', 'pays after', 'bytes/vector HNSW'];
    const text = renderTable(h, [['200000', '0.977', '2721 queries', '442']], {
      width: 52,
      rightAligned: [false, false, false, false],
    });
    expect(text).toContain('│ 2721 queries │');
    expect(text).toMatch(/│ bytes\/vector │/);
    for (const l of text.split('\n')) expect(visibleLength(l)).toBeLessThanOrEqual(52);
  });

  it('leaves a table that fits as cli-table3 draws it', () => {
    const text = renderTable(['a', 'b'], [['1', '2']], { width: 50, rightAligned: [false, true] });
    expect(text.split('\n')).toEqual(['┌───┬───┐', '│ a │ b │', '├───┼───┤', '│ 1 │ 2 │', '└───┴───┘']);
  });
});

describe('ConsoleNarrator.table', () => {
  it('fits the terminal, or 100 columns in a log', () => {
    const wide = ['x'.repeat(60), 'y'.repeat(70)];
    const log = capture();
    new ConsoleNarrator({ stream: log, env: {} }).table(['a', 'b'], [wide]);
    expect(Math.max(...log.lines().map((l) => l.length))).toBe(DEFAULT_COLUMNS);

    const terminal = Object.assign(capture(true), { columns: 60 });
    new ConsoleNarrator({ stream: terminal, env: {} }).table(['a', 'b'], [wide]);
    expect(Math.max(...terminal.lines().map(visibleLength))).toBeLessThanOrEqual(60);
  });
});
