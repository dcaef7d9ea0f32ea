import { describe, expect, it } from 'vitest';
import { downsample, fillNonFinite, renderChart } from './chart.ts';

describe('chart input guards', () => {
  it('fills non-finite points from neighbours', () => {
    expect(fillNonFinite([Number.NaN, 2, Number.POSITIVE_INFINITY, 4])).toEqual({
      values: [2, 2, 2, 4],
      filled: 2,
    });
    expect(fillNonFinite([Number.NaN])).toEqual({ values: [], filled: 1 });
  });

  it('averages long series down to the width', () => {
    const out = downsample(
      Array.from({ length: 100 }, (_, i) => i),
      10,
    );
    expect(out).toHaveLength(10);
    expect(out[0]).toBeCloseTo(4.5);
    expect(out[9]).toBeCloseTo(94.5);
  });
});

describe('renderChart', () => {
  it('draws several series with NaN in them, and a legend', () => {
    const { lines, notes } = renderChart(
      [
        { label: 'psi', values: [0.1, Number.NaN, 0.3, 0.2] },
        { label: 'ks', values: [0.2, 0.1, 0.05, 0.4] },
      ],
      { height: 4 },
    );
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.join('\n')).not.toContain('NaN');
    expect(lines.at(-1)).toMatch(/── psi\s+══ ks/);
    expect(notes).toEqual(['psi: 1 point(s) without a value, left blank']);
  });

  it('gives each series its own glyph without color, and shows it in the legend', () => {
    const { lines } = renderChart(
      [
        { label: 'served', values: [1, 2, 3, 2, 1] },
        { label: 'offline', values: [3, 2, 1, 2, 3] },
      ],
      { height: 4 },
    );
    const plot = lines.slice(0, -1).join('\n');
    expect(plot).toMatch(/[─╭╮╰╯│]/);
    expect(plot).toMatch(/[═╔╗╚╝║]/);
    expect(lines.at(-1)).toMatch(/── served\s+══ offline/);
    expect(plot).not.toContain('\u001b[');
  });

  it('leaves a gap blank instead of drawing a line through it', () => {
    const { lines } = renderChart(
      [{ label: 'late', values: [Number.NaN, Number.NaN, Number.NaN, 5, 6, 7] }],
      {
        height: 2,
      },
    );
    const plot = lines.slice(0, -1);
    const axis = plot[0].search(/[┤┼]/);
    // Columns of the three missing points: nothing drawn there on any row.
    for (const row of plot) expect(row.slice(axis + 1, axis + 4).trim()).toBe('');
    expect(plot.join('')).toMatch(/[─╭╯]/);
  });

  it('puts a long legend one series per line', () => {
    const long = 'share of rows differing from the offline recompute';
    const { lines } = renderChart([
      { label: long, values: [1, 2] },
      { label: 'largest effect size of the day', values: [2, 1] },
    ]);
    expect(lines.at(-2)).toMatch(new RegExp(`── ${long}$`));
    expect(lines.at(-1)).toMatch(/══ largest effect size of the day$/);
  });

  it('draws a flat series and skips an empty one', () => {
    const { lines, notes } = renderChart([
      { label: 'flat', values: [3, 3, 3] },
      { label: 'gone', values: [] },
    ]);
    expect(lines.some((l) => l.includes('┼──'))).toBe(true);
    expect(notes).toEqual(['gone: no finite values, not drawn']);
  });

  it('returns nothing to draw when no series has data', () => {
    expect(renderChart([{ label: 'x', values: [Number.NaN] }]).lines).toEqual([]);
  });

  it('colors only when asked', () => {
    const series = [{ label: 'a', values: [1, 2, 3] }];
    expect(renderChart(series).lines.join('')).not.toContain('\u001b[');
    expect(renderChart(series, { color: true }).lines.join('')).toContain('\u001b[');
  });
});
