/**
 * What a learner reads of a run, with the measurements taken out: the labels of the narration (step
 * titles, table headers and row labels, chart series and captions, pointers, check names). A mystery
 * run (ARCHITECTURE.md "Lab anatomy": `--mystery` arms a fault without naming it) must print the same
 * labels as a healthy run: a label that changes with the fault (a row called "top-k, then filter" only
 * when post-filtering is armed) is the hint's answer in plain text. Only measured values may differ.
 * labSuite compares them for every lab and fault (vitest.ts).
 */
import { redactor } from './mystery.ts';
import type { LabDefinition, Narrator } from './types.ts';

/**
 * A number and the unit a formatter may pick for it: `1.2 s` and `450 ms` are the same label
 * with a different measurement, as are `16.4 M` and `812 k`.
 */
const NUMBER =
  /[-+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:e[-+]?\d+)?(?:\s?(?:ms|s|min|h|d|%|×|x|k|M|B|KB|MB|GB|kB|KiB|MiB))?(?![\w])/g;

/** `n = 1,000: 0.95 recall` -> `n = # recall`: a run of numbers and the separators between them is one `#`. */
export function normaliseLabel(text: string): string {
  return text
    .replace(NUMBER, '#')
    .replace(/#(?:[\s.,/:x×-]*#)+/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
}

type Cell = string | number | boolean | null;

/** One narrator call's label, as printed (before redaction and normalisation). */
export interface NarrationLabel {
  kind: 'step' | 'table' | 'row' | 'chart' | 'pointer' | 'check';
  text: string;
}

/** Wraps a lab so every narrator call also lands in `labels`. Prose (`say`, `status`) is not kept. */
export function recordingNarration(lab: LabDefinition, labels: NarrationLabel[]): LabDefinition {
  const note = (kind: NarrationLabel['kind'], text: string) => labels.push({ kind, text });
  return {
    ...lab,
    async run(ctx) {
      const inner = ctx.out;
      const out: Narrator = {
        step: ((title: string, fn?: () => Promise<unknown>) => {
          note('step', title);
          return fn ? inner.step(title, fn) : inner.step(title);
        }) as Narrator['step'],
        // Prose is not compared: it reports what was measured (which alerts fired, an example
        // of a wrong answer), and a fault is meant to change that.
        say: (text) => inner.say(text),
        status: (text) => inner.status(text),
        table(headers: string[], rows: Cell[][]) {
          note('table', headers.join(' | '));
          for (const row of rows) note('row', typeof row[0] === 'string' ? row[0] : '#');
          inner.table(headers, rows);
        },
        chart(series, options) {
          note('chart', `${series.map((s) => s.label).join(' | ')} ${options?.caption ?? ''}`);
          inner.chart(series, options);
        },
        pointer(path, why) {
          note('pointer', `${path} ${why}`);
          inner.pointer(path, why);
        },
      };
      return lab.run({ ...ctx, out });
    },
  };
}

/**
 * The labels as a learner reads them in a mystery run with `fault` armed: redacted as the runner
 * redacts, numbers normalised away, and a label repeated on consecutive rows kept once (how many days
 * or attempts a table lists is a measurement).
 */
export function labelsAsRead(labels: readonly NarrationLabel[], fault: string | null): string[] {
  const redact = redactor(fault);
  const out: string[] = [];
  for (const { kind, text } of labels) {
    const label = `${kind}: ${normaliseLabel(redact(text))}`;
    if (out.at(-1) !== label) out.push(label);
  }
  return out;
}

/** The `--json` contract (ARCHITECTURE.md "Lab anatomy"): metric keys are camelCase in every lab. */
export const CAMEL_CASE = /^[a-z][a-zA-Z0-9]*$/;
