/**
 * Benchmark: writing the monitoring report (report.ts) for 100,000 logged predictions x 20 features in
 * 10 weekly windows. The baseline in the same run is the same report with the raw rows embedded as
 * JSON, as Evidently's HTML reports embed their data (and take minutes to open). Targets from the
 * monitoring issue: the file under 300 KB, written in under 2 s (monitors, aggregates, HTML, write).
 *
 *   pnpm bench report [--quick] [--rows 100000] [--runs 3]   (--quick: 20,000 rows, 1 run)
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { flag, intArg, report, time } from '@mlops-lab/benchkit';
import { renderReport } from '../src/report.ts';
import { reportData } from '../src/report-data.ts';
import { reportWorld } from '../src/report-demo.ts';

const quick = flag('quick');
const rows = intArg('rows', quick ? 20_000 : 100_000);
const runs = intArg('runs', quick ? 1 : 3);
const WINDOWS = 10;
/** The payments world's 6 served features and 14 more: 20. */
const FEATURES = 20;

const world = reportWorld({
  windows: WINDOWS,
  rowsPerWindow: Math.ceil(rows / WINDOWS),
  extraFeatures: FEATURES - 6,
  conceptFrom: WINDOWS - 2,
  labelledBefore: WINDOWS - 1,
});
const total = world.windowed.reduce((s, w) => s + w.rows.length, 0);
const dir = mkdtempSync(join(tmpdir(), 'monitoring-bench-'));
const file = (name: string) => join(dir, name);

let data = reportData('bench', world.reference, world.windowed, world.asOf);
// Monitors + aggregates + HTML + write: what `pnpm monitor report` does once the rows are read.
const aggregated = time(runs, () => {
  data = reportData('bench', world.reference, world.windowed, world.asOf);
  writeFileSync(file('report.html'), renderReport(data));
});
const renderOnly = time(runs, () => writeFileSync(file('render.html'), renderReport(data)));
// The baseline: the same page with every row inline as JSON.
const raw = time(runs, () => {
  const d = reportData('bench', world.reference, world.windowed, world.asOf);
  const html = renderReport(d).replace(
    '</body>',
    `<script type="application/json" id="rows">${JSON.stringify(world.windowed.flatMap((w) => w.rows)).replace(/</g, '\\u003c')}</script></body>`,
  );
  writeFileSync(file('raw.html'), html);
});
const kb = (name: string) => statSync(file(name)).size / 1024;
const sizes = { aggregated: kb('report.html'), raw: kb('raw.html') };
rmSync(dir, { recursive: true, force: true });

report({
  bench: 'monitoring-report',
  title: `monitoring report: ${total} predictions x ${FEATURES} features in ${WINDOWS} windows, median of ${runs} runs (Node ${process.version})`,
  columns: [
    { key: 'wall', unit: 'ms' },
    { key: 'cpu', unit: 'ms' },
    { key: 'kb', label: 'file', unit: 'KB' },
  ],
  rows: [
    {
      label: 'baseline: the same report embedding the raw rows',
      key: 'raw',
      values: { ...raw, kb: sizes.raw },
    },
    {
      label: 'report of aggregates: monitors + HTML + write',
      key: 'aggregated',
      vs: 'raw',
      values: { ...aggregated, kb: sizes.aggregated },
    },
    { label: 'of which HTML + write', key: 'render', values: { ...renderOnly } },
  ],
  notes: [
    `targets: file under 300 KB (${sizes.aggregated.toFixed(1)} KB: ${sizes.aggregated < 300 ? 'met' : 'MISSED'}), ` +
      `written in under 2 s (${(aggregated.cpu / 1000).toFixed(2)} s of CPU: ${aggregated.cpu < 2000 ? 'met' : 'MISSED'}; ` +
      `${(aggregated.wall / 1000).toFixed(2)} s wall at load average ${loadavg()[0].toFixed(1)} on ${availableParallelism()} cores)`,
    `alerts in the report: ${data.windows.reduce((s, w) => s + w.alerts.length, 0)}`,
  ],
  json: {
    rows: total,
    features: FEATURES,
    windows: WINDOWS,
    runs,
    kb: sizes,
    ms: { aggregated: aggregated.wall, raw: raw.wall, render: renderOnly.wall },
  },
});
