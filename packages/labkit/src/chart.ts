/**
 * Terminal line charts for the narrator (ARCHITECTURE.md "Lab anatomy": small charts where a picture helps).
 * asciichart draws; this file makes its input safe. asciichart computes min/max with Math.min over
 * every value, so one NaN or Infinity blanks the whole chart, and an empty series crashes it:
 * non-finite points (no value: a time slot with no request) are filled from their neighbours so
 * asciichart can draw, then their columns are left blank (and noted under the chart); empty series
 * are dropped, and long series are averaged down to a width that fits an 80-column log.
 * asciichart draws every series with the same line glyphs, so without color (a pipe, a log,
 * NO_COLOR) two series could not be told apart: each series is drawn alone with its own glyph set
 * (─ ═ ━ ┄ •) on the same scale and the drawings are laid over each other, later series on top;
 * the legend shows each series' glyph (and its color, when there is color).
 */
import * as asciichart from 'asciichart';

export interface ChartSeries {
  label: string;
  values: number[];
}

export interface ChartOptions {
  height?: number;
  /** Emit ANSI colors (series colors and a colored legend). */
  color?: boolean;
  /** Max points per series; longer series are bucket-averaged. */
  maxWidth?: number;
}

const PALETTE = [asciichart.cyan, asciichart.magenta, asciichart.yellow, asciichart.green, asciichart.blue];

/**
 * One glyph set per series, in asciichart's order: axis tick with value, axis, gap start, gap end,
 * horizontal, then the corners ╰ ╭ ╮ ╯ and the vertical. The first is asciichart's own.
 */
type Glyphs = [string, string, string, string, string, string, string, string, string, string];
const GLYPHS: readonly Glyphs[] = [
  ['┼', '┤', '╶', '╴', '─', '╰', '╭', '╮', '╯', '│'],
  ['┼', '┤', '╶', '╴', '═', '╚', '╔', '╗', '╝', '║'],
  ['┼', '┤', '╶', '╴', '━', '┗', '┏', '┓', '┛', '┃'],
  ['┼', '┤', '╶', '╴', '┄', '└', '┌', '┐', '┘', '┆'],
  ['┼', '┤', '•', '•', '•', '•', '•', '•', '•', '•'],
];

/** The two-character legend marker of series i: its horizontal glyph. */
export function marker(i: number): string {
  return GLYPHS[i % GLYPHS.length][4].repeat(2);
}

/** Fills non-finite points with the previous finite value (the next one for a leading gap). */
export function fillNonFinite(values: readonly number[]): { values: number[]; filled: number } {
  const firstFinite = values.find((v) => Number.isFinite(v));
  if (firstFinite === undefined) return { values: [], filled: values.length };
  let last = firstFinite;
  let filled = 0;
  const out = values.map((v) => {
    if (Number.isFinite(v)) {
      last = v;
      return v;
    }
    filled++;
    return last;
  });
  return { values: out, filled };
}

/**
 * Bucket means, so a 1000-point series keeps its shape in `width` columns. Non-finite points are
 * left out of a bucket's mean; a bucket with none finite is NaN (a gap).
 */
export function downsample(values: readonly number[], width: number): number[] {
  if (values.length <= width) return [...values];
  const out: number[] = [];
  for (let b = 0; b < width; b++) {
    const from = Math.floor((b * values.length) / width);
    const to = Math.floor(((b + 1) * values.length) / width);
    let sum = 0;
    let n = 0;
    for (let i = from; i < to; i++) {
      if (!Number.isFinite(values[i])) continue;
      sum += values[i];
      n++;
    }
    out.push(n > 0 ? sum / n : Number.NaN);
  }
  return out;
}

/** Axis labels with just enough decimals to tell adjacent rows apart. */
function labelFormatter(min: number, max: number, height: number): (x: number) => string {
  const span = Math.max(Math.abs(max), Math.abs(min));
  if (span !== 0 && (span >= 1e6 || span < 1e-3)) return (x) => x.toExponential(1);
  const step = (max - min) / Math.max(height, 1);
  const decimals = step > 0 ? Math.min(6, Math.max(0, Math.ceil(-Math.log10(step)))) : 2;
  return (x) => x.toFixed(decimals);
}

export interface RenderedChart {
  /** The plot rows, then the legend (one row, or one per series when long); empty when nothing could be drawn. */
  lines: string[];
  /** What was dropped or repaired, for the reader to know the picture is not the raw data. */
  notes: string[];
}

/** Renders the chart (no indentation, no caption: the narrator places and styles those). */
export function renderChart(series: readonly ChartSeries[], options: ChartOptions = {}): RenderedChart {
  const height = Math.max(1, Math.round(options.height ?? 8));
  const width = options.maxWidth ?? 64;
  const notes: string[] = [];
  const kept: { label: string; values: number[]; gaps: Set<number>; color: string }[] = [];
  series.forEach((s, i) => {
    const sampled = downsample(s.values, width);
    const { values, filled } = fillNonFinite(sampled);
    if (values.length === 0) {
      notes.push(`${s.label}: no finite values, not drawn`);
      return;
    }
    if (filled > 0) notes.push(`${s.label}: ${filled} point(s) without a value, left blank`);
    const gaps = new Set(sampled.flatMap((v, x) => (Number.isFinite(v) ? [] : [x])));
    kept.push({ label: s.label, values, gaps, color: PALETTE[i % PALETTE.length] });
  });
  if (kept.length === 0) return { lines: [], notes };

  const all = kept.flatMap((s) => s.values);
  const min = Math.min(...all);
  const max = Math.max(...all);
  const format = labelFormatter(min, max, height);
  const labelWidth = Math.max(format(min).length, format(max).length);
  const config = {
    height,
    // A flat chart still gets a visible band instead of asciichart's single row.
    ...(min === max ? { min: min - 1, max: max + 1 } : { min, max }),
    // offset 2 + a label ending in a space: every row reads `<label> <axis>` whatever the label width.
    offset: 2,
    format: (x: number) => `${format(x).padStart(labelWidth)} `,
  };
  // Each series alone, on the same scale, so the grids line up cell for cell.
  const grids = kept.map((s, i) =>
    asciichart
      .plot(s.values, { ...config, symbols: GLYPHS[i % GLYPHS.length] })
      .split('\n')
      .map((l) => Array.from(l)),
  );
  const axis = labelWidth + 1; // the column of the axis: the label, then one space
  // asciichart draws the segment from point x to x + 1 in column axis + 1 + x; a gap (a point with
  // no value, filled only so asciichart can draw) stays blank instead of showing an invented line.
  const rows = grids[0].map((row, y) => {
    const cells = row.map((ch, x) => ({ ch: x <= axis ? ch : ' ', owner: -1 }));
    grids.forEach((grid, k) => {
      grid[y].forEach((ch, x) => {
        if (x <= axis || ch === ' ' || kept[k].gaps.has(x - axis - 1)) return;
        while (cells.length <= x) cells.push({ ch: ' ', owner: -1 });
        cells[x] = { ch, owner: k };
      });
    });
    return cells
      .map(({ ch, owner }) => (options.color && owner >= 0 ? asciichart.colored(ch, kept[owner].color) : ch))
      .join('')
      .trimEnd();
  });
  const entries = kept.map(
    (s, i) => `${options.color ? asciichart.colored(marker(i), s.color) : marker(i)} ${s.label}`,
  );
  // One line while it fits beside the plot's width; else one series per line.
  const oneLine = kept.reduce((a, s) => a + s.label.length + 6, 0) <= width + 8;
  const pad = ' '.repeat(labelWidth + 2);
  const legend = oneLine ? [`${pad}${entries.join('   ')}`] : entries.map((e) => `${pad}${e}`);
  const lines = [...rows, ...legend];
  return { lines, notes };
}
