/**
 * What every benchmark prints (ARCHITECTURE.md "Conventions": a benchmark compares against a
 * baseline measured in the same run and reports the ratio): a title, a table whose last column is
 * each row's ratio to its baseline row, notes, then one JSON line with the bench's figures and
 * those ratios. `report` computes the ratios, so no benchmark divides and formats by hand.
 * `formatTable` is the plain-text table itself, also used to list the benchmarks.
 */

export type Figure = number | string | undefined;

export interface Column {
  /** The figure's name in `Row.values` and in the JSON line's ratios. */
  key: string;
  /** Header text (default: the key). */
  label?: string;
  /** Printed after each number: `ms`, `req/s`. */
  unit?: string;
  /** Decimals (default: three significant digits, at most three decimals). */
  digits?: number;
}

export interface Row {
  label: string;
  /** By column key. A number prints in the column's format; a string as it is; NaN or absent as a dash. */
  values: Record<string, Figure>;
  /** The row's name in the JSON line, and what other rows give as `vs` (default: the label). */
  key?: string;
  /** The key of this row's baseline: its ratio is this row's figure over the baseline's. */
  vs?: string;
  /** After the ratio: a target, a count, a verdict. */
  note?: string;
}

export interface Report {
  bench: string;
  /** The first line: what was measured, the sizes, the machine. */
  title: string;
  columns: readonly Column[];
  rows: readonly Row[];
  /** Keys of the columns a ratio is taken on (default: every column); a ratio needs a number on both rows. */
  ratioOn?: readonly string[];
  /** Lines after the table. */
  notes?: readonly string[];
  /** The bench's own figures in the JSON line, beside `ratios`. */
  json?: Record<string, unknown>;
  /** Where every line goes (default: stdout); the JSON line is the last. */
  write?: (line: string) => void;
}

/** Per row with a baseline: which one, and the ratio on each ratio column both rows have a number in. */
export type Ratios = Record<string, { vs: string } & Record<string, number | string>>;

/** `1234`, `123`, `12.3`, `1.23`, `0.123`: three significant digits, never more than three decimals. */
export function num(x: number, digits?: number): string {
  if (digits !== undefined) return x.toFixed(digits);
  const a = Math.abs(x);
  return x.toFixed(a >= 100 || Number.isInteger(x) ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : 3);
}

/** Lines of a plain-text table: a header, then the rows; the columns marked in `right` right-aligned. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly boolean[] = [],
): string[] {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `  ${header
      .map((_, j) => (right[j] ? (cells[j] ?? '').padStart(widths[j]) : (cells[j] ?? '').padEnd(widths[j])))
      .join('  ')}`.trimEnd();
  return [line(header), ...rows.map(line)];
}

const isNumber = (v: Figure): v is number => typeof v === 'number' && !Number.isNaN(v);

export function ratios(r: Pick<Report, 'columns' | 'rows' | 'ratioOn'>): Ratios {
  const on = r.ratioOn ?? r.columns.map((c) => c.key);
  const byKey = new Map(r.rows.map((row) => [row.key ?? row.label, row]));
  const out: Ratios = {};
  for (const row of r.rows) {
    if (row.vs === undefined) continue;
    const base = byKey.get(row.vs);
    if (!base) throw new Error(`row "${row.label}" is compared with "${row.vs}", which is no row's key`);
    const entry: Ratios[string] = { vs: row.vs };
    for (const key of on) {
      const [x, b] = [row.values[key], base.values[key]];
      if (isNumber(x) && isNumber(b)) entry[key] = x / b;
    }
    out[row.key ?? row.label] = entry;
  }
  return out;
}

/** Prints the title, the table with its "vs baseline" column, the notes and the JSON line; returns the ratios. */
export function report(r: Report): Ratios {
  const write = r.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const computed = ratios(r);
  const baselines = new Set(r.rows.flatMap((row) => (row.vs === undefined ? [] : [row.vs])));
  const labelOf = (key: string) => r.columns.find((c) => c.key === key)?.label ?? key;
  const cell = (c: Column, v: Figure) => {
    if (typeof v === 'string') return v;
    if (!isNumber(v)) return '-';
    return c.unit ? `${num(v, c.digits)} ${c.unit}` : num(v, c.digits);
  };
  const vsText = (row: Row) => {
    const key = row.key ?? row.label;
    const entry = computed[key];
    const shown = entry
      ? Object.entries(entry).filter(([k]) => k !== 'vs') // which columns had a number on both rows
      : [];
    const ratio =
      shown.length === 1
        ? `x${num(shown[0][1] as number)}`
        : shown.map(([k, x]) => `x${num(x as number)} ${labelOf(k)}`).join(', ');
    const text = ratio || (baselines.has(key) ? 'baseline' : '');
    return [text, row.note ?? ''].filter(Boolean).join('  ');
  };
  write(r.title);
  const lines = formatTable(
    ['', ...r.columns.map((c) => c.label ?? c.key), 'vs baseline'],
    r.rows.map((row) => [row.label, ...r.columns.map((c) => cell(c, row.values[c.key])), vsText(row)]),
    [false, ...r.columns.map(() => true), false],
  );
  for (const line of lines) write(line);
  for (const note of r.notes ?? []) write(`  ${note}`);
  write(JSON.stringify({ bench: r.bench, ...r.json, ratios: computed }));
  return computed;
}
