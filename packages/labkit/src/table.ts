/**
 * Tables that fit the terminal (ARCHITECTURE.md "Lab anatomy": narration read in a terminal or a CI
 * log). cli-table3 draws; this file decides the column widths. A table wider than the line gets its
 * widest columns narrowed first (water-filling: every column keeps its natural width up to a common
 * cap), and cells wrap on spaces inside their column; a word longer than its column is broken, so
 * nothing is cut off. The width is the terminal's, or 100 columns when the output is a pipe or a log.
 */
import Table from 'cli-table3';

/** The line width when the stream is not a terminal that knows its size. */
export const DEFAULT_COLUMNS = 100;
/** No column is narrowed below this (content plus one space of padding each side). */
const MIN_COLUMN = 8;
/** cli-table3's padding: one space each side of a cell. */
const PADDING = 2;

// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escape sequences are what it matches
const ANSI = /\u001b\[[0-9;]*m/g;

/** Printed width of a string, without its color codes. */
export function visibleLength(text: string): number {
  return text.replace(ANSI, '').length;
}

/**
 * The line width to fit: a terminal's own size; else `COLUMNS` when the shell exported it; else
 * DEFAULT_COLUMNS (a pipe or a CI log has no width, and 100 reads well in both).
 */
export function lineWidth(
  stream: { isTTY?: boolean; columns?: number } | null,
  env: NodeJS.ProcessEnv,
): number {
  if (stream?.isTTY && stream.columns && stream.columns > 0) return stream.columns;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : DEFAULT_COLUMNS;
}

/**
 * Column widths (padding included) whose table, borders included, fits in `width`. Each column keeps
 * its natural width up to a common cap, the largest cap that fits, but never goes below its floor.
 * `floors` are tried in order (the narrator passes: headers wrapped at words but cells whole; then
 * cells wrapped at words too), and the last resort floor is MIN_COLUMN, where long words break.
 */
export function fitColumns(
  natural: readonly number[],
  width: number,
  floors: readonly number[][] = [],
): number[] {
  const budget = width - (natural.length + 1); // one border character before each column and at the end
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  if (sum(natural) <= budget) return [...natural];
  const last = natural.map((w) => Math.min(w, MIN_COLUMN));
  const floor =
    [...floors.map((f) => f.map((w, j) => Math.min(w, natural[j]))), last].find((f) => sum(f) <= budget) ??
    last;
  const at = (cap: number) => natural.map((w, j) => Math.max(floor[j], Math.min(w, cap)));
  let cap = Math.max(...natural);
  while (cap > 0 && sum(at(cap)) > budget) cap--;
  const widths = at(cap);
  // The remainder the integer cap left over goes to the capped columns, left to right.
  let spare = budget - sum(widths);
  return widths.map((w, j) => {
    const extra = spare > 0 && w < natural[j] ? 1 : 0;
    spare -= extra;
    return w + extra;
  });
}

/**
 * Wraps plain text to `width` columns on spaces; a word longer than the line is broken into pieces.
 * Text with color codes is returned as is (the narrator only colors short cells: yes/no, a dash).
 */
export function wrapText(text: string, width: number): string[] {
  if (text.length <= width || text.includes('\u001b[')) return [text];
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w.length > 0)) {
    const pieces = word.match(new RegExp(`.{1,${width}}`, 'g')) ?? [word];
    for (const piece of pieces) {
      if (line.length === 0) line = piece;
      else if (line.length + 1 + piece.length <= width) line += ` ${piece}`;
      else {
        lines.push(line);
        line = piece;
      }
    }
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

export interface TableOptions {
  /** The line width the table must fit, the narrator's indent already taken off. */
  width: number;
  /** Right-align these columns (numbers line up by magnitude). */
  rightAligned: readonly boolean[];
  /** Styles a header line (bold on a color terminal). */
  head?: (text: string) => string;
}

/** Renders header and cells (already strings) into table lines no wider than `options.width`. */
export function renderTable(
  headers: readonly string[],
  rows: readonly string[][],
  options: TableOptions,
): string {
  const widest = (texts: string[], split: RegExp) =>
    Math.max(0, ...texts.flatMap((t) => t.split(split)).map(visibleLength)) + PADDING;
  const column = (j: number) => rows.map((r) => r[j]);
  const natural = headers.map((h, j) => widest([h, ...column(j)], /\n/));
  // First try wrapping only the headers (at their words), then the cells' words too.
  const headersWrapped = headers.map((h, j) => Math.max(widest([h], /\s+/), widest(column(j), /\n/)));
  const wordsWrapped = headers.map((h, j) => widest([h, ...column(j)], /\s+/));
  const widths = fitColumns(natural, options.width, [headersWrapped, wordsWrapped]);
  const wrap = (text: string, j: number) =>
    text
      .split('\n')
      .flatMap((l) => wrapText(l, widths[j] - PADDING))
      .join('\n');
  const head = options.head ?? ((text: string) => text);
  const table = new Table({
    head: headers.map((h, j) => wrap(h, j).split('\n').map(head).join('\n')),
    colWidths: widths,
    colAligns: options.rightAligned.map((right) => (right ? 'right' : 'left')),
    // cli-table3 colors with its own library, which ignores our stream; the caller colors the header.
    style: { head: [], border: [], compact: true },
  });
  for (const row of rows) table.push(row.map((cell, j) => wrap(cell, j)));
  return table.toString();
}
