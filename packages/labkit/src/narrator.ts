/**
 * The Narrator a lab writes to (ARCHITECTURE.md "Lab anatomy": numbered steps, tables, charts, pointers
 * into the code). Progress is CI-friendly by construction: a spinner with elapsed seconds only on
 * an interactive terminal and only once a step has run for a second; in a log (non-TTY) a slow
 * step gets a plain `done in 3.4s` line instead of carriage-return frames.
 */
import { performance } from 'node:perf_hooks';
import ora, { type Ora } from 'ora';
import pc from 'picocolors';
import { renderChart } from './chart.ts';
import { fmt } from './format.ts';
import { lineWidth, renderTable } from './table.ts';
import type { Narrator } from './types.ts';

/** What the narrator writes to; `isTTY` decides spinner and (with the env) colors. */
export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface NarratorOptions {
  /** null: silent, nothing is written (steps still run). */
  stream: OutStream | null;
  env?: NodeJS.ProcessEnv;
  /** Applied to every piece of text before it is printed (mystery mode hides the fault name). */
  redact?: (text: string) => string;
  /** A step slower than this gets a spinner (TTY) or a `done in` line (log). Default 1000 ms. */
  slowMs?: number;
}

type Colors = ReturnType<typeof pc.createColors>;
type Cell = string | number | boolean | null;

/** NO_COLOR wins, then FORCE_COLOR, then "is it a terminal". */
export function colorEnabled(stream: OutStream | null, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!stream) return false;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return stream.isTTY === true && env.TERM !== 'dumb';
}

const INDENT = '   ';
/** In a log, a step's status lines are at least this far apart. */
const STATUS_EVERY_MS = 5000;

export class ConsoleNarrator implements Narrator {
  readonly c: Colors;
  private readonly stream: OutStream | null;
  private redact: (text: string) => string;
  private readonly interactive: boolean;
  private readonly slowMs: number;
  /** The line width tables are fitted to (see table.ts lineWidth). */
  private readonly width: number;
  private stepNo = 0;
  /** Only the outermost running step owns a spinner; nested steps just print. */
  private spinning = false;
  /** The running step's progress text and when a log last got a status line (see status()). */
  private running: { start: number; status: string; printedAt: number } | null = null;

  constructor(options: NarratorOptions) {
    const env = options.env ?? process.env;
    this.stream = options.stream;
    this.redact = options.redact ?? ((text) => text);
    this.c = pc.createColors(colorEnabled(options.stream, env));
    // A pseudo-terminal without a size (`script`, `docker run -t` in some CI) reports 0 columns; ora
    // divides by the width to know how many lines to clear and then never stops clearing.
    const columns = options.stream?.columns ?? 0;
    this.interactive = options.stream?.isTTY === true && env.TERM !== 'dumb' && columns > 0;
    this.slowMs = options.slowMs ?? 1000;
    this.width = lineWidth(options.stream, env);
  }

  /** Writes one line as is (after redaction). Everything the narrator prints goes through here. */
  line(text = ''): void {
    this.stream?.write(`${this.redact(text)}\n`);
  }

  /** Prints without redaction: only for revealing a mystery fault the learner has just named. */
  unredacted(fn: () => void): void {
    const saved = this.redact;
    this.redact = (text) => text;
    try {
      fn();
    } finally {
      this.redact = saved;
    }
  }

  /** Writes text indented under the current step, line by line. */
  private body(text: string): void {
    for (const l of text.split('\n')) this.line(l.length > 0 ? `${INDENT}${l}` : '');
  }

  step(title: string): void;
  step<T>(title: string, fn: () => Promise<T>): Promise<T>;
  step<T>(title: string, fn?: () => Promise<T>): Promise<T> | undefined {
    this.stepNo++;
    this.line();
    this.line(this.c.bold(`${this.stepNo}. ${title}`));
    return fn ? this.progress(`step ${this.stepNo}`, fn) : undefined;
  }

  /**
   * Runs fn with progress feedback, without a heading: used by steps and by the runner while
   * services start. The spinner is delayed by `slowMs` so fast work prints nothing extra.
   */
  async progress<T>(label: string, fn: () => Promise<T>, indent = INDENT): Promise<T> {
    const start = performance.now();
    const elapsed = () => ((performance.now() - start) / 1000).toFixed(1);
    const outer = this.running;
    const running = { start, status: '', printedAt: Number.NEGATIVE_INFINITY };
    const owner = this.interactive && !this.spinning;
    // On a terminal a nested step's status goes to the spinner its outer step owns.
    if (owner || !this.interactive) this.running = running;
    const text = () => this.c.dim(`${label}${running.status ? ` · ${running.status}` : ''} · ${elapsed()}s`);
    let spinner: Ora | undefined;
    let ticker: NodeJS.Timeout | undefined;
    let delay: NodeJS.Timeout | undefined;
    if (owner) {
      this.spinning = true;
      delay = setTimeout(() => {
        spinner = ora({
          text: text(),
          stream: this.stream as NodeJS.WritableStream,
          isEnabled: true,
          discardStdin: false,
          // Not ora's `indent`: its clear() leaves the cursor at that column, shifting our next line.
          prefixText: indent.slice(1),
        }).start();
        ticker = setInterval(() => {
          if (spinner) spinner.text = text();
        }, 100);
      }, this.slowMs);
    }
    const finish = () => {
      clearTimeout(delay);
      clearInterval(ticker);
      spinner?.stop();
      if (owner) this.spinning = false;
      this.running = outer;
      return performance.now() - start;
    };
    try {
      const result = await fn();
      const ms = finish();
      if (ms >= this.slowMs) this.line(this.c.dim(`${indent}done in ${fmt.ms(ms)}`));
      return result;
    } catch (error) {
      const ms = finish();
      this.line(this.c.red(`${indent}failed after ${fmt.ms(ms)}`));
      throw error;
    }
  }

  say(text: string): void {
    this.body(text);
  }

  status(text: string): void {
    const running = this.running;
    if (!running) return;
    running.status = text;
    // A terminal shows it in the spinner (progress() redraws it). A log gets a line, but not for a
    // step that ends within a second, and not more often than every 5 s.
    if (this.interactive) return;
    const now = performance.now();
    if (now - running.start < this.slowMs || now - running.printedAt < STATUS_EVERY_MS) return;
    running.printedAt = now;
    this.body(this.c.dim(`… ${text}`));
  }

  /** A dim side note (service log lines, hints). */
  note(text: string): void {
    this.body(this.c.dim(text));
  }

  table(headers: string[], rows: Cell[][]): void {
    // A column holding only numbers (and blanks) is right-aligned so magnitudes line up.
    const rightAligned = headers.map((_, j) =>
      rows.every((r) => r[j] === null || r[j] === undefined || typeof r[j] === 'number'),
    );
    const cells = rows.map((row) => headers.map((_, j) => this.cell(row[j])));
    this.body(
      renderTable(headers, cells, {
        width: this.width - INDENT.length,
        rightAligned,
        head: (text) => this.c.bold(text),
      }),
    );
  }

  private cell(value: Cell | undefined): string {
    if (value === null || value === undefined) return this.c.dim('—');
    if (typeof value === 'boolean') return value ? this.c.green('yes') : this.c.red('no');
    if (typeof value === 'number') return fmt.num(value);
    return value;
  }

  chart(
    series: { label: string; values: number[] }[],
    options: { height?: number; caption?: string } = {},
  ): void {
    const { lines, notes } = renderChart(series, { height: options.height, color: this.c.isColorSupported });
    if (lines.length === 0) this.body(this.c.dim('(nothing to chart)'));
    for (const l of lines) this.line(`${INDENT}${l}`);
    if (options.caption) this.body(this.c.dim(options.caption));
    for (const n of notes) this.body(this.c.dim(`note: ${n}`));
  }

  pointer(path: string, why: string): void {
    this.line(`${INDENT}${this.c.cyan('→')} read ${this.c.cyan(path)}: ${why}`);
  }
}
