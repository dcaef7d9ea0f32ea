/**
 * `pnpm monitor report`: the monitoring report (report.ts) over any range of windows of the prediction
 * log in Postgres (Q26, Q28, Q35), against a labelled reference range of the same log.
 *
 *   pnpm monitor report --out report.html --reference 2026-01-05..2026-01-12 --from 2026-01-12 --to 2026-03-02
 *                       [--window-days 7] [--as-of 2026-03-20] [--namespace monitoring] [--title "..."]
 *   pnpm monitor demo --out demo.html
 *
 * `demo` writes a demonstration log (report-demo.ts: six weeks of the payments world, concept drift in
 * the fifth, the sixth not labelled yet) into a per-run schema, reports it through the same path as
 * `report`, and drops the schema.
 *
 * The log is read from the kept namespace (schema mlops_<namespace>, default mlops_monitoring), where a
 * service that logs through @mlops-lab/monitoring with `keep: true` writes it. The reference range's
 * labelled, scored predictions give the input and output profiles and CBPE's calibration; the input
 * schema is read off them (a feature whose values are all numbers is numeric, any other categorical).
 * `--as-of` (default now) is the moment shown: labels that landed later do not count. Everything is
 * checked before any service starts; exit 0 written, 1 failure, 2 usage (one line on stderr).
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Schema } from '@mlops-lab/drift';
import { acquire, parseCommandLine, runCommand, UsageError } from '@mlops-lab/services';
import type { Queryable } from '@mlops-lab/services/sql';
import { MonitoringInputError } from './errors.ts';
import { buildReference, type MonitorBounds } from './monitors.ts';
import { writeReport } from './report.ts';
import { type ReportData, reportData } from './report-data.ts';
import { reportWorld, writeDemoLog } from './report-demo.ts';
import { migrateMonitoring, readLogged, readWindows } from './store.ts';
import { tumblingWindows } from './windows.ts';

const DAY = 86_400_000;
const USAGE =
  'pnpm monitor demo --out <file.html> | pnpm monitor report --out <file.html> --reference <from>..<to> --from <date> --to <date> [--window-days N] [--as-of <date>] [--namespace NAME] [--title TEXT]';
const OPTIONS = ['out', 'reference', 'from', 'to', 'window-days', 'as-of', 'namespace', 'title'] as const;
/** More windows than this is a typo in a date, not a report anyone reads. */
const MAX_WINDOWS = 520;

export type MonitorCall = ({ command: 'report' } & ReportCall) | { command: 'demo'; out: string };

export interface ReportCall {
  out: string;
  reference: { from: number; to: number };
  from: number;
  to: number;
  windowMs: number;
  asOf: number;
  namespace: string;
  title: string;
}

function date(what: string, text: string | undefined): number {
  if (text === undefined) throw new UsageError(`${what} is needed`);
  const ms = /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/.test(text)
    ? Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text)
    : Number.NaN;
  if (!Number.isFinite(ms))
    throw new UsageError(
      `${what} "${text}" is not a date (YYYY-MM-DD, or a UTC time such as 2026-01-05T12:00Z)`,
    );
  return ms;
}

/** The call, checked: every mistake is a UsageError before any service starts. */
export function parseReportCall(args: readonly string[], now = Date.now()): MonitorCall {
  const { values, positionals } = parseCommandLine(OPTIONS, [...args]);
  const [command, extra] = positionals;
  if (command !== 'report' && command !== 'demo')
    throw new UsageError(
      command === undefined ? 'a command is needed (report or demo)' : `unknown command "${command}"`,
    );
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  if (!values.out) throw new UsageError('--out <file.html> is needed');
  if (!values.out.endsWith('.html')) throw new UsageError(`--out "${values.out}" should end in .html`);
  if (command === 'demo') {
    const other = Object.keys(values).find((k) => k !== 'out' && values[k] !== undefined);
    if (other) throw new UsageError(`--${other} is for report; demo takes --out only`);
    return { command, out: resolve(values.out) };
  }
  const [refFrom, refTo, ...more] = (values.reference ?? '').split('..');
  if (values.reference === undefined || more.length > 0 || refTo === undefined)
    throw new UsageError(
      '--reference <from>..<to> is needed (the labelled range the monitors compare against)',
    );
  const reference = { from: date('--reference start', refFrom), to: date('--reference end', refTo) };
  if (reference.to <= reference.from) throw new UsageError('--reference ends before it starts');
  const from = date('--from', values.from);
  const to = date('--to', values.to);
  if (to <= from) throw new UsageError('--to must be after --from');
  const days = values['window-days'] === undefined ? 7 : Number(values['window-days']);
  if (!Number.isInteger(days) || days < 1)
    throw new UsageError(`--window-days must be a whole number of days >= 1, got "${values['window-days']}"`);
  const windowMs = days * DAY;
  if (Math.ceil((to - from) / windowMs) > MAX_WINDOWS)
    throw new UsageError(
      `${Math.ceil((to - from) / windowMs)} windows: at most ${MAX_WINDOWS}; widen --window-days`,
    );
  const asOf = values['as-of'] === undefined ? now : date('--as-of', values['as-of']);
  const namespace = values.namespace ?? 'monitoring';
  if (!/^[a-z][a-z0-9_-]{0,40}$/.test(namespace))
    throw new UsageError(`--namespace "${namespace}" must be lower-case letters, digits, _ or -`);
  const title =
    values.title ??
    `Monitoring report ${new Date(from).toISOString().slice(0, 10)} to ${new Date(to).toISOString().slice(0, 10)}`;
  return { command, out: resolve(values.out), reference, from, to, windowMs, asOf, namespace, title };
}

/** A feature whose non-missing reference values are all numbers is numeric; any other categorical. */
export function inferSchema(rows: readonly { features: Record<string, unknown> }[]): Schema {
  const numeric = new Map<string, boolean>();
  for (const r of rows)
    for (const [k, v] of Object.entries(r.features)) {
      if (v === null || v === undefined) {
        if (!numeric.has(k)) numeric.set(k, true);
      } else numeric.set(k, (numeric.get(k) ?? true) && typeof v === 'number');
    }
  return [...numeric]
    .sort((a, b) => (a[0] < b[0] ? -1 : 1))
    .map(([name, n]) => ({ name, type: n ? 'numeric' : 'categorical' }));
}

/** Reads the reference and every window from the log, monitors them, and returns the report's data. */
export async function reportFromLog(
  pg: Queryable,
  call: Omit<ReportCall, 'out' | 'namespace'>,
  bounds: Partial<MonitorBounds> = {},
): Promise<ReportData> {
  const labelled = (await readLogged(pg, call.reference.from, call.reference.to)).filter(
    (r) => r.label !== null && r.score !== null && r.error === null && r.decision !== null,
  );
  const iso = (ms: number) => new Date(ms).toISOString();
  if (labelled.length < 100)
    throw new MonitoringInputError(
      `the reference ${iso(call.reference.from)}..${iso(call.reference.to)} has ${labelled.length} labelled predictions in the log; it needs at least 100 (labels are written with recordLabels)`,
    );
  const rows = labelled.map((r) => ({
    features: r.features,
    score: r.score!,
    decision: r.decision!,
    label: r.label!,
  }));
  const reference = buildReference(rows, inferSchema(rows));
  const windows = tumblingWindows(call.from, call.windowMs, Math.ceil((call.to - call.from) / call.windowMs));
  const windowed = await readWindows(pg, windows);
  if (windowed.every((w) => w.rows.length === 0))
    throw new MonitoringInputError(`no predictions in the log between ${iso(call.from)} and ${iso(call.to)}`);
  return reportData(call.title, reference, windowed, call.asOf, bounds);
}

async function main(): Promise<number> {
  const call = parseReportCall(process.argv.slice(2));
  const demo = call.command === 'demo';
  const services = await acquire(
    demo
      ? { needs: ['postgres'], namespace: 'monitor-demo' }
      : { needs: ['postgres'], namespace: call.namespace, keep: true },
  );
  try {
    await migrateMonitoring(services);
    let range: Omit<ReportCall, 'out' | 'namespace'>;
    if (call.command === 'demo') {
      const world = reportWorld({ windows: 6, rowsPerWindow: 3000, conceptFrom: 4, labelledBefore: 5 });
      const written = await writeDemoLog(services.pg, world);
      console.log(
        `demo: ${written} predictions of the payments world written to ${services.schema}, dropped at exit`,
      );
      range = {
        title: 'Demonstration: six weeks of payments, concept drift in the fifth, the sixth not labelled yet',
        reference: world.referenceRange,
        from: world.windowed[0].window.start,
        to: world.windowed.at(-1)!.window.end,
        windowMs: 7 * DAY,
        asOf: world.asOf,
      };
    } else range = call;
    const started = performance.now();
    const data = await reportFromLog(services.pg, range);
    const bytes = await writeReport(call.out, data);
    const alerts = data.windows.reduce((s, w) => s + w.alerts.length, 0);
    console.log(
      `wrote ${call.out}: ${data.windows.length} windows, ${data.windows.reduce((s, w) => s + w.n, 0)} predictions, ` +
        `${alerts} alerts, ${(bytes / 1024).toFixed(1)} KB in ${((performance.now() - started) / 1000).toFixed(2)} s`,
    );
    return 0;
  } finally {
    await services.close();
  }
}

// Run only as the command (the tests import the parts).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) runCommand(USAGE, main);
