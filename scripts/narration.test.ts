/**
 * Mystery mode must not give the answer away (ARCHITECTURE.md "Lab anatomy": `--mystery` arms a fault
 * without naming it). For every lab in the catalogue, the narration's labels (step titles, table
 * headers and row labels, chart series and captions, pointers, check names) are recorded healthy and under
 * `--mystery` with each fault armed in turn; with the numbers (and their units) normalised away they
 * must be identical. Only measured values may differ: a label that changes with the fault (a row
 * called "top-k, then filter" only when post-filtering is armed) is the hint's answer in plain text.
 *
 * The healthy run also holds the `--json` contract: every metric key is camelCase.
 *
 * Runs in this process through `runLab` (quick, seed 1, throwaway services), one lab per test.
 */
import { type LabDefinition, type Narrator, redactor, runLab } from '@mlops-lab/labkit';
import { describe, expect, it } from 'vitest';
import { catalogue } from './catalogue.ts';

/**
 * A number and the unit a formatter may pick for it: `1.2 s` and `450 ms` are the same label
 * with a different measurement, as are `16.4 M` and `812 k`.
 */
const NUMBER =
  /[-+]?(?:\d[\d,]*(?:\.\d+)?|\.\d+)(?:e[-+]?\d+)?(?:\s?(?:ms|s|min|h|d|%|×|x|k|M|B|KB|MB|GB|kB|KiB|MiB))?(?![\w])/g;

/** `n = 1,000: 0.95 recall` -> `n = #: # recall`; runs of `#` and spaces collapse. */
export function normalise(text: string): string {
  return text
    .replace(NUMBER, '#')
    .replace(/#(?:[\s.,/:x×-]*#)+/g, '#')
    .replace(/\s+/g, ' ')
    .trim();
}

type Cell = string | number | boolean | null;

/**
 * Wraps a lab so every narrator call also lands, normalised and redacted, in `labels`. A label
 * repeated on consecutive rows is kept once: how many days or attempts a table lists is a measurement.
 */
function recording(lab: LabDefinition, labels: string[], redact: (t: string) => string): LabDefinition {
  const note = (kind: string, text: string) => {
    const label = `${kind}: ${normalise(redact(text))}`;
    if (labels.at(-1) !== label) labels.push(label);
  };
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

async function labelsOf(
  lab: LabDefinition,
  fault: string | null,
): Promise<{ labels: string[]; metricKeys: string[] }> {
  const labels: string[] = [];
  const redact = redactor(fault);
  const report = await runLab(recording(lab, labels, redact), {
    quick: true,
    seed: 1,
    silent: true,
    ephemeral: true,
    fault,
    mystery: fault !== null,
  });
  for (const ch of report.checks) labels.push(`check: ${normalise(ch.name)}`);
  return { labels, metricKeys: Object.keys(report.metrics) };
}

/** The `--json` contract (ARCHITECTURE.md "Lab anatomy"): metric keys are camelCase in every lab. */
const CAMEL_CASE = /^[a-z][a-zA-Z0-9]*$/;

describe('narration is the same healthy and under --mystery with every fault', () => {
  it.each(catalogue.map((lab) => [lab.name, lab] as const))(
    '%s',
    async (_name, lab) => {
      const { labels: healthy, metricKeys } = await labelsOf(lab, null);
      expect(metricKeys.filter((k) => !CAMEL_CASE.test(k))).toEqual([]);
      for (const br of lab.breaks) {
        const { labels: armed } = await labelsOf(lab, br.name);
        // The fault name in the message tells which run differs; the diff shows the leaked label.
        expect.soft({ fault: br.name, labels: armed }).toEqual({ fault: br.name, labels: healthy });
      }
    },
    // Every fault of a lab runs in one test: up to four quick runs of a lab, each under 30 s.
    600_000,
  );
});
