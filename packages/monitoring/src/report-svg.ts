/**
 * The report's charts as inline SVG strings, drawn directly (Q35: a report anyone can open, offline):
 * no chart library, so nothing to bundle and nothing that needs a newer Node. Two shapes: a line chart
 * over windows (series with gaps, an optional ±band, shaded windows, alert markers) and a histogram
 * as step outlines (a window against its reference, as shares). Every series carries `data-series`
 * and `data-points`, so a test in a browser can read what was drawn. Text is escaped here.
 */

export const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const r1 = (v: number) => Math.round(v * 10) / 10;

export interface LineSeries {
  name: string;
  /** One value per window; null or NaN is a gap, never joined across. */
  values: readonly (number | null)[];
  /** CSS class: the colour. */
  cls: string;
}

export interface LineChartSpec {
  id: string;
  title: string;
  /** X labels, one per window. */
  labels: readonly string[];
  series: readonly LineSeries[];
  /** A band drawn behind the series, per window (lo, hi), e.g. estimate ± 3 SE. */
  band?: { name: string; lo: readonly (number | null)[]; hi: readonly (number | null)[] };
  /** Windows to shade, with the legend text (e.g. labels not landed yet). */
  shade?: { name: string; windows: readonly boolean[] };
  /** Windows that raised an alert on this chart's monitor. */
  markers?: readonly boolean[];
  unit?: string;
  /** Clamp the y axis to this range (e.g. [0, 100] for a percentage). */
  yRange?: [number, number];
}

const W = 640;
const H = 180;
const PAD = { left: 44, right: 10, top: 14, bottom: 34 };

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

function domain(spec: LineChartSpec): [number, number] {
  const all = [
    ...spec.series.flatMap((s) => s.values),
    ...(spec.band?.lo ?? []),
    ...(spec.band?.hi ?? []),
  ].filter(finite);
  if (all.length === 0) return [0, 1];
  let lo = Math.min(...all);
  let hi = Math.max(...all);
  if (hi - lo < 1e-9) {
    lo -= 0.5;
    hi += 0.5;
  }
  const pad = (hi - lo) * 0.08;
  const [min, max] = spec.yRange ?? [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY];
  return [Math.max(min, lo - pad), Math.min(max, hi + pad)];
}

/** A line chart over windows. */
export function lineChart(spec: LineChartSpec): string {
  const n = spec.labels.length;
  const [lo, hi] = domain(spec);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, n);
  const x = (i: number) => r1(PAD.left + step * (i + 0.5));
  const y = (v: number) => r1(PAD.top + plotH * (1 - (v - lo) / (hi - lo)));
  const parts: string[] = [
    `<svg id="${spec.id}" class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="${escapeHtml(spec.title)}">`,
  ];
  if (spec.shade)
    spec.shade.windows.forEach((s, i) => {
      if (s)
        parts.push(
          `<rect class="shade" data-window="${i}" x="${r1(PAD.left + step * i)}" y="${PAD.top}" width="${r1(step)}" height="${plotH}"/>`,
        );
    });
  // Axes: three y ticks, a label per window (thinned past 16).
  for (const v of [lo, (lo + hi) / 2, hi]) {
    const label = Math.abs(hi - lo) < 5 ? v.toFixed(3) : v.toFixed(0);
    parts.push(
      `<line class="grid" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v)}" y2="${y(v)}"/><text class="tick" x="${PAD.left - 4}" y="${y(v) + 3}" text-anchor="end">${label}</text>`,
    );
  }
  const every = Math.ceil(n / 16);
  spec.labels.forEach((l, i) => {
    if (i % every === 0)
      parts.push(
        `<text class="tick" x="${x(i)}" y="${H - PAD.bottom + 14}" text-anchor="middle">${escapeHtml(l)}</text>`,
      );
  });
  if (spec.band) {
    const { lo: bl, hi: bh } = spec.band;
    // One polygon per unbroken run of windows with a band.
    let run: number[] = [];
    const flush = () => {
      if (run.length) {
        const top = run.map((i) => `${x(i)},${y(bh[i]!)}`);
        const bottom = [...run].reverse().map((i) => `${x(i)},${y(bl[i]!)}`);
        parts.push(
          `<polygon class="band" data-series="${escapeHtml(spec.band!.name)}" points="${[...top, ...bottom].join(' ')}"/>`,
        );
      }
      run = [];
    };
    for (let i = 0; i < n; i++) {
      if (finite(bl[i]) && finite(bh[i])) run.push(i);
      else flush();
    }
    flush();
  }
  for (const s of spec.series) {
    let d = '';
    let pen = false;
    let points = 0;
    const dots: string[] = [];
    s.values.forEach((v, i) => {
      if (!finite(v)) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(i)} ${y(v)}`;
      pen = true;
      points++;
      dots.push(`<circle cx="${x(i)}" cy="${y(v)}" r="2.5"/>`);
    });
    parts.push(
      `<g class="series ${s.cls}" data-series="${escapeHtml(s.name)}" data-points="${points}"><path d="${d}"/>${dots.join('')}</g>`,
    );
  }
  if (spec.markers)
    spec.markers.forEach((m, i) => {
      if (m)
        parts.push(
          `<path class="alert-marker" data-window="${i}" d="M${x(i)} ${PAD.top + 1}l-5 -9h10z"><title>alert in ${escapeHtml(spec.labels[i])}</title></path>`,
        );
    });
  parts.push('</svg>');
  const legend = [
    ...spec.series.map((s) => `<span class="key ${s.cls}">${escapeHtml(s.name)}</span>`),
    spec.band ? `<span class="key band">${escapeHtml(spec.band.name)}</span>` : '',
    spec.shade ? `<span class="key shade">${escapeHtml(spec.shade.name)}</span>` : '',
    spec.markers ? '<span class="key alert">▼ alert</span>' : '',
  ].join('');
  return `<figure><figcaption>${escapeHtml(spec.title)}${spec.unit ? ` (${escapeHtml(spec.unit)})` : ''}</figcaption>${parts.join('')}<div class="legend">${legend}</div></figure>`;
}

export interface HistogramSpec {
  title: string;
  /** Bin labels (left edges or categories). */
  bins: readonly string[];
  /** Shares per bin (sum 1), the reference first. */
  series: readonly { name: string; cls: string; shares: readonly number[] }[];
  drifted?: boolean;
}

const HW = 300;
const HH = 110;

/** A histogram of shares as step outlines, one per series. */
export function histogram(spec: HistogramSpec): string {
  const n = spec.bins.length;
  const max = Math.max(1e-9, ...spec.series.flatMap((s) => s.shares));
  const plotW = HW - 12;
  const plotH = HH - 26;
  const step = plotW / Math.max(1, n);
  const y = (v: number) => r1(6 + plotH * (1 - v / max));
  const paths = spec.series.map((s) => {
    let d = `M6 ${y(0)}`;
    s.shares.forEach((v, i) => {
      d += `V${y(v)}H${r1(6 + step * (i + 1))}`;
    });
    d += `V${y(0)}`;
    return `<path class="hist ${s.cls}" data-series="${escapeHtml(s.name)}" data-points="${s.shares.length}" d="${d}"/>`;
  });
  const first = escapeHtml(spec.bins[0] ?? '');
  const last = escapeHtml(spec.bins[n - 1] ?? '');
  return (
    `<figure class="hist${spec.drifted ? ' drifted' : ''}"><figcaption>${escapeHtml(spec.title)}</figcaption>` +
    `<svg class="chart" viewBox="0 0 ${HW} ${HH}" role="img" aria-label="${escapeHtml(spec.title)}">${paths.join('')}` +
    `<text class="tick" x="6" y="${HH - 6}">${first}</text><text class="tick" x="${HW - 6}" y="${HH - 6}" text-anchor="end">${last}</text></svg></figure>`
  );
}
