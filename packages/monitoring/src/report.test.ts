/**
 * The HTML report as a file: aggregates only (no request id, no raw feature value in it), the same
 * size whatever the traffic, text escaped, and what each window's summary holds.
 */
import { describe, expect, it } from 'vitest';
import { renderReport } from './report.ts';
import { reportData, SCORE_BINS } from './report-data.ts';
import { reportWorld } from './report-demo.ts';
import { escapeHtml } from './report-svg.ts';

describe('the monitoring report', () => {
  const world = reportWorld({ windows: 4, rowsPerWindow: 1500, conceptFrom: 3 });
  const data = reportData('report', world.reference, world.windowed, world.asOf);
  const html = renderReport(data);

  it('holds aggregates, never rows', () => {
    const rows = world.windowed.flatMap((w) => w.rows);
    expect(rows.some((r) => html.includes(r.requestId))).toBe(false);
    // A raw amount with cents is never written out (bin edges are rounded to three digits).
    const amounts = rows
      .map((r) => String(r.features.amount))
      .filter((a) => /\.\d\d$/.test(a) && a.length >= 6);
    expect(amounts.length).toBeGreaterThan(100);
    expect(amounts.filter((a) => html.includes(`>${a}<`) || html.includes(`"${a}"`))).toEqual([]);
    for (const w of data.windows) {
      expect(w.histograms[0].feature).toBe('score');
      expect(w.histograms[0].window).toHaveLength(SCORE_BINS);
      expect(w.histograms[0].window.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 9);
    }
  });

  it('does not grow with the number of rows', () => {
    const big = reportWorld({ windows: 4, rowsPerWindow: 6000, conceptFrom: 3 });
    const bigHtml = renderReport(reportData('report', big.reference, big.windowed, big.asOf));
    expect(bigHtml.length / html.length).toBeLessThan(1.2);
  });

  it('flags the concept-drift window and escapes what it prints', () => {
    expect(data.windows[3].alerts.map((a) => a.monitor)).toContain('realized');
    expect(html).toContain('id="summary" data-windows="4"');
    expect(escapeHtml(`<script>"x" & 'y'</script>`)).toBe(
      '&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;',
    );
    const hostile = renderReport({ ...data, title: '<img src=x onerror=alert(1)>' });
    expect(hostile).not.toContain('<img');
  });
});
