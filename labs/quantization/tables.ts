/**
 * The quantization lab's tables (Q33): the spread of each fp32 kernel in units of a typical weight
 * (why one int8 scale per tensor rounds coarsely), size and speed of every version beside fp32 and
 * its re-measured control, and holdout quality with agreement of decisions. Narration only: every
 * figure comes from the run's measurements (measure.ts, quality.ts).
 */
import { fmt, type Narrator } from '@mlops-lab/labkit';
import { fp32Weights } from '@mlops-lab/training';
import type { Measured } from './measure.ts';
import type { Quality } from './quality.ts';

/** Four decimals, without the `-0.0000` of a tiny negative change. */
export const d4 = (x: number) => (x.toFixed(4) === '-0.0000' ? '0.0000' : x.toFixed(4));
const kib = (b: number) => (b >= 1e6 ? `${(b / 2 ** 20).toFixed(2)} MiB` : `${(b / 1024).toFixed(1)} KiB`);

/**
 * The fp32 kernels' spread in units of a typical weight (the median |w|, which one outlier cannot move
 * the way it moves σ): the largest weight, the range of the channels' largest weights, and the step one
 * int8 scale per tensor would take. Every weight is rounded to that step.
 */
export const SPREAD_HEADERS = [
  'tensor',
  'shape',
  'median |w|',
  'max |w|',
  'channel maxima',
  'int8 per-tensor step',
];

export function spreadRows(files: Record<string, Uint8Array>): string[][] {
  return fp32Weights(files)
    .filter(({ spec, values }) => spec.shape.length >= 2 && values.length >= 64)
    .map(({ spec, values }) => {
      const abs = Float64Array.from(values, Math.abs).sort();
      const typical = abs[Math.floor(abs.length / 2)];
      const cols = spec.shape[spec.shape.length - 1];
      const colMax = Array.from({ length: cols }, () => 0);
      values.forEach((w, i) => {
        colMax[i % cols] = Math.max(colMax[i % cols], Math.abs(w));
      });
      const x = (v: number) => `${(v / typical).toFixed(v / typical < 1 ? 3 : 1)}×`;
      return [
        spec.name,
        JSON.stringify(spec.shape),
        fmt.num(typical),
        x(abs[abs.length - 1]),
        `${x(Math.min(...colMax))} .. ${x(Math.max(...colMax))}`,
        x(abs[abs.length - 1] / 127),
      ];
    });
}

/** Every version, then the control (fp32 measured again): its row is how far timing noise alone goes. */
export function sizeTable(out: Narrator, ms: Measured[], control: Measured): void {
  const fp32 = ms[0];
  out.table(
    ['scheme @version', 'weights file', 'on disk', 'load (dequantize)', 'TF.js holds', 'batch 1', 'batch 64'],
    [...ms, control].map((m) => [
      `${m.label} @${m.ref.split('@')[1]}`,
      `${kib(m.weightFileBytes)} ${fmt.ratio(fp32.weightFileBytes / m.weightFileBytes, 2)}`,
      kib(m.diskBytes),
      `${fmt.ms(m.loadMs)}${m.report ? ` (${fmt.ms(m.dequantizeMs)})` : ''}`,
      kib(m.tfBytes),
      fmt.ms(m.b1Ms),
      `${fmt.ms(m.b64Ms)} ${fmt.ratio(m.b64Ms / fp32.b64Ms, 2)}`,
    ]),
  );
}

export function qualityTable(
  out: Narrator,
  ms: Measured[],
  qs: Quality[],
  metric: string,
  decisions: string,
): void {
  out.table(
    ['scheme', metric, `Δ${metric}`, decisions, 'mean |Δscore|'],
    ms.map((m, i) => [
      m.label,
      qs[i].metric.toFixed(4),
      i === 0 ? '-' : d4(qs[i].delta),
      i === 0 ? '-' : fmt.pct(qs[i].same, 2),
      i === 0 ? '-' : qs[i].meanAbsDelta.toExponential(2),
    ]),
  );
}
