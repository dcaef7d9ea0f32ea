/**
 * The monitoring report as HTML (Q26, Q28, Q35): one self-contained file of every monitor over a range
 * of windows, opened from disk with no network and no script. A section per monitor: performance
 * (CBPE's estimate with its ±3 SE band against the realized AUC, the windows still waiting for labels
 * shaded), input drift (a feature x window table of effect sizes, histograms of what drifted), output
 * (the score against the reference), operational (latency p50 / p99, error rate), business (fraud
 * caught per 1,000), labels (coverage and lag), and the alerts with which monitor, window, amount and
 * since when.
 *
 * It renders the aggregates of report-data.ts, never rows: Evidently users report reports that take
 * minutes to open because each one embeds its raw rows; this one stays the same size whatever the
 * traffic, and bench/report.ts measures both. Charts are SVG drawn by report-svg.ts.
 */
import { writeFile } from 'node:fs/promises';
import type { MonitorKind } from './monitors.ts';
import type { FeatureHistogram, ReportData, ReportWindow } from './report-data.ts';
import { escapeHtml, histogram, lineChart } from './report-svg.ts';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const fixed = (v: number | null | undefined, d = 3) =>
  v === null || v === undefined || Number.isNaN(v) ? '–' : v.toFixed(d);
const alertsOn = (ws: readonly ReportWindow[], ...kinds: MonitorKind[]) =>
  ws.map((w) => w.alerts.some((a) => kinds.includes(a.monitor)));

const CSS = `body{font:14px/1.4 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222}
h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ddd;margin-top:32px}
table{border-collapse:collapse;font-size:12px;margin:8px 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:right}
th:first-child,td:first-child{text-align:left}td.drifted{background:#fdd;font-weight:600}tr.alert td{background:#fee}
figure{display:inline-block;margin:6px 12px 6px 0}figcaption{font-size:12px;color:#555}
.chart{width:640px;max-width:100%;height:auto}figure.hist .chart{width:300px}figure.hist.drifted figcaption{color:#b00;font-weight:600}
.series path{fill:none;stroke-width:2}.series circle{stroke:none}.grid{stroke:#eee}.tick{font-size:10px;fill:#666}
.estimated path{stroke:#1f77b4}.estimated circle{fill:#1f77b4}.realized path{stroke:#d62728}.realized circle{fill:#d62728}
.p50 path{stroke:#2ca02c}.p50 circle{fill:#2ca02c}.p99 path{stroke:#9467bd}.p99 circle{fill:#9467bd}
.rate path{stroke:#8c564b}.rate circle{fill:#8c564b}svg .band{fill:#1f77b4;opacity:.15}svg .shade{fill:#999;opacity:.18}
.alert-marker{fill:#d62728}.hist{fill:none;stroke-width:1.5}.hist.reference{stroke:#999}.hist.window{stroke:#1f77b4}
.legend .key{margin-right:12px;font-size:12px}.legend .key::before{content:"";display:inline-block;width:10px;height:10px;margin-right:4px;background:var(--c)}
.key.estimated{--c:#1f77b4}.key.realized{--c:#d62728}.key.p50{--c:#2ca02c}.key.p99{--c:#9467bd}.key.rate{--c:#8c564b}.key.band{--c:#a6c8e6}.key.shade{--c:#ccc}.key.alert{--c:#d62728}
.status-stale{color:#b00;font-weight:600}.status-awaiting{color:#777}`;

function section(id: string, title: string, body: string) {
  return `<section id="${id}" data-monitor="${id}"><h2>${escapeHtml(title)}</h2>${body}</section>`;
}

function table(
  header: readonly string[],
  rows: readonly string[][],
  rowClass: (i: number) => string = () => '',
) {
  return `<table><thead><tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r, i) => `<tr${rowClass(i) ? ` class="${rowClass(i)}"` : ''}>${r.join('')}</tr>`)
    .join('')}</tbody></table>`;
}

const td = (text: string, cls = '', title = '') =>
  `<td${cls ? ` class="${cls}"` : ''}${title ? ` title="${escapeHtml(title)}"` : ''}>${escapeHtml(text)}</td>`;

function driftTable(ws: readonly ReportWindow[], monitor: 'input' | 'output') {
  const features = [
    ...new Set(ws.flatMap((w) => w.drift.filter((c) => c.monitor === monitor).map((c) => c.feature))),
  ];
  return table(
    ['feature', ...ws.map((w) => w.label)],
    features.map((f) => [
      td(f),
      ...ws.map((w) => {
        const c = w.drift.find((x) => x.monitor === monitor && x.feature === f);
        return c ? td(c.effect.toFixed(3), c.drifted ? 'drifted' : '', c.note) : td('–');
      }),
    ]),
  );
}

const hist = (h: FeatureHistogram, label: string) =>
  histogram({
    title: `${label} ${h.feature}${h.drifted ? ' (drifted)' : ''}`,
    bins: h.bins,
    drifted: h.drifted,
    series: [
      { name: 'reference', cls: 'reference', shares: h.reference },
      { name: label, cls: 'window', shares: h.window },
    ],
  });

/** The report as one HTML string. */
export function renderReport(data: ReportData): string {
  const ws = data.windows;
  const labels = ws.map((w) => w.label);
  const awaiting = ws.map((w) => w.realized.status !== 'complete');
  const alerts = ws.flatMap((w) => w.alerts);
  const percentChart = (id: string, title: string, name: string, rates: number[], markers?: boolean[]) =>
    lineChart({
      id,
      title,
      unit: '%',
      yRange: [0, 100],
      labels,
      series: [{ name, cls: 'rate', values: rates.map((r) => 100 * r) }],
      markers,
    });

  const performance = section(
    'performance',
    'Performance: realized vs estimated',
    lineChart({
      id: 'chart-auc',
      title: 'AUC per window: CBPE estimate ± 3 SE, realized once the labels landed',
      labels,
      series: [
        { name: 'estimated AUC', cls: 'estimated', values: ws.map((w) => w.estimated?.auc ?? null) },
        { name: 'realized AUC', cls: 'realized', values: ws.map((w) => w.realized.auc) },
      ],
      band: {
        name: '± 3 SE',
        lo: ws.map((w) => (w.estimated ? w.estimated.auc - 3 * w.estimated.seAuc : null)),
        hi: ws.map((w) => (w.estimated ? w.estimated.auc + 3 * w.estimated.seAuc : null)),
      },
      shade: { name: 'labels not landed (label lag)', windows: awaiting },
      markers: alertsOn(ws, 'estimated', 'realized'),
    }) +
      table(
        [
          'window',
          'from',
          'predictions',
          'CBPE AUC ± 3 SE',
          'realized AUC',
          'realized accuracy',
          'labels',
          'median label lag (days)',
        ],
        ws.map((w) => [
          td(w.label),
          td(day(w.start)),
          td(String(w.n)),
          td(w.estimated ? `${w.estimated.auc.toFixed(3)} ± ${(3 * w.estimated.seAuc).toFixed(3)}` : '–'),
          td(fixed(w.realized.auc)),
          td(fixed(w.realized.accuracy)),
          td(
            w.realized.status === 'complete'
              ? `${(100 * w.realized.coverage).toFixed(0)}%`
              : w.realized.status,
            `status-${w.realized.status}`,
          ),
          td(w.realized.medianLagMs === null ? '–' : (w.realized.medianLagMs / 86_400_000).toFixed(1)),
        ]),
      ),
  );

  const drifting = ws.filter((w) => w.histograms.length > 1);
  const input = section(
    'input',
    'Input drift',
    `<p>Effect size per feature and window (normalized Wasserstein or Jensen-Shannon); a drifted cell passed both the
     Benjamini-Hochberg test and the effect gate. Hover a cell for the test.</p>${driftTable(ws, 'input')}${drifting
       .map((w) =>
         w.histograms
           .slice(1)
           .map((h) => hist(h, w.label))
           .join(''),
       )
       .join('')}`,
  );
  const output = section(
    'output',
    'Output: score distribution and decisions',
    `${driftTable(ws, 'output')}${ws.map((w) => hist(w.histograms[0], w.label)).join('')}`,
  );
  const operational = section(
    'operational',
    'Operational: latency and errors',
    lineChart({
      id: 'chart-latency',
      title: 'Latency per window, nearest-rank percentiles',
      unit: 'ms',
      labels,
      series: [
        { name: 'p50', cls: 'p50', values: ws.map((w) => w.operational.p50Ms) },
        { name: 'p99', cls: 'p99', values: ws.map((w) => w.operational.p99Ms) },
      ],
      markers: alertsOn(ws, 'operational'),
    }) +
      percentChart(
        'chart-errors',
        'Error rate per window',
        'error rate',
        ws.map((w) => w.operational.errorRate),
      ),
  );
  const business = section(
    'business',
    'Business: fraud caught per 1,000 payments',
    lineChart({
      id: 'chart-business',
      title: `Labelled frauds not approved, per 1,000 payments (reference ${data.reference.fraudCaughtPer1000.toFixed(1)})`,
      labels,
      series: [
        { name: 'fraud caught per 1,000', cls: 'realized', values: ws.map((w) => w.fraudCaughtPer1000) },
      ],
      shade: { name: 'labels not landed', windows: awaiting },
      markers: alertsOn(ws, 'business'),
    }),
  );
  const labelsSection = section(
    'labels',
    'Labels: coverage and lag',
    percentChart(
      'chart-labels',
      'Share of each window labelled as of the report',
      'label coverage',
      ws.map((w) => w.realized.coverage),
      alertsOn(ws, 'labels'),
    ),
  );
  const alertTable = section(
    'alerts',
    `Alerts (${alerts.length})`,
    alerts.length
      ? table(
          ['window', 'monitor', 'metric', 'value', 'reference', 'since', 'detail'],
          alerts.map((a) => [
            td(labels[ws.findIndex((w) => w.index === a.window)] ?? String(a.window)),
            td(a.monitor),
            td(a.metric),
            td(String(a.value)),
            td(String(a.reference)),
            td(labels[ws.findIndex((w) => w.index === a.since)] ?? String(a.since)),
            td(a.detail),
          ]),
          () => 'alert',
        )
      : '<p>No alert in these windows.</p>',
  );
  const first = ws[0];
  const last = ws.at(-1);
  const range = first && last ? `${day(first.start)} to ${day(last.end)}` : 'no windows';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(data.title)}</title><style>${CSS}</style></head><body>
<h1>${escapeHtml(data.title)}</h1>
<p id="summary" data-windows="${ws.length}">${ws.length} windows, ${range}, as of ${new Date(data.asOf).toISOString().slice(0, 16)}Z.
Reference: ${data.reference.n} labelled predictions, AUC ${data.reference.auc.toFixed(3)} (CBPE on the reference ${data.reference.estimatedAuc.toFixed(3)}).</p>
${alertTable}${performance}${input}${output}${operational}${business}${labelsSection}
</body></html>
`;
}

/** Writes the report; returns its size in bytes. */
export async function writeReport(path: string, data: ReportData): Promise<number> {
  const html = renderReport(data);
  await writeFile(path, html);
  return Buffer.byteLength(html);
}
