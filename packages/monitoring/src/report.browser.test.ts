/**
 * The report in a real browser (Debian's chromium through playwright-core): the file opens from disk
 * with no network request, every monitor has its section, the alert of the degraded window is in the
 * alerts table, and the charts draw one point per window, the band, the label-lag shading on the
 * unlabelled window and the alert marker on the degraded one.
 *
 * Without /usr/bin/chromium the test is skipped with how to get it; in CI (CI=true) it must run.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from './report.ts';
import { reportData } from './report-data.ts';
import { reportWorld } from './report-demo.ts';

const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
const ci = process.env.CI === 'true';
if (!present && !ci)
  console.warn(
    `report browser test skipped: no ${CHROMIUM}. Install it with \`sudo apt-get install chromium\` (Debian/Ubuntu), as .ci/run does.`,
  );

describe('the report in chromium', () => {
  it.runIf(ci && !present)('CI has chromium (.ci/run installs it)', () => {
    expect(
      existsSync(CHROMIUM),
      `${CHROMIUM} is missing in CI: .ci/run should install Debian's chromium`,
    ).toBe(true);
  });
});

describe.skipIf(!present)('the report in chromium', () => {
  let browser: Browser;
  let dir: string;
  let url: string;
  // Six weeks; the fifth under concept drift; the sixth not labelled yet.
  const world = reportWorld({ windows: 6, rowsPerWindow: 2000, conceptFrom: 4, labelledBefore: 5 });
  const data = reportData(
    'Payments fraud model, weekly monitoring',
    world.reference,
    world.windowed,
    world.asOf,
  );

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'monitoring-report-'));
    const file = join(dir, 'report.html');
    await writeReport(file, data);
    url = pathToFileURL(file).href;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows every monitor, the alert and the charts as drawn', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(url);

    // Self-contained: the only request is the file itself.
    expect(requests).toEqual([url]);
    expect(await page.title()).toBe('Payments fraud model, weekly monitoring');
    expect(await page.locator('#summary').getAttribute('data-windows')).toBe('6');

    const sections = page.locator('section[data-monitor]');
    expect(await sections.evaluateAll((els) => els.map((e) => e.id))).toEqual([
      'alerts',
      'performance',
      'input',
      'output',
      'operational',
      'business',
      'labels',
    ]);
    for (const heading of await sections.locator('h2').all()) expect(await heading.isVisible()).toBe(true);

    // The degraded week's alert, as the page shows it.
    const alertRows = await page
      .locator('#alerts tbody tr')
      .evaluateAll((rows) =>
        rows.map((r) =>
          Array.from(
            r.querySelectorAll('td'),
            (td) => (td as { textContent: string | null }).textContent ?? '',
          ),
        ),
      );
    const realized = alertRows.find((r) => r[1] === 'realized');
    expect(realized?.[0]).toBe('w5');
    expect(realized?.[6]).toMatch(/^AUC 0\.\d{3} from 2000 labels < reference 0\.\d{3} - 0\.05$/);
    await expect.poll(() => page.getByText(realized![6]).isVisible()).toBe(true);

    // The AUC chart: an estimate for every week, realized for the five labelled, the band behind it,
    // the unlabelled week shaded, the marker on the degraded week.
    const auc = page.locator('#chart-auc');
    expect(await auc.locator('g[data-series="estimated AUC"]').getAttribute('data-points')).toBe('6');
    expect(await auc.locator('g[data-series="estimated AUC"] circle').count()).toBe(6);
    expect(await auc.locator('g[data-series="realized AUC"] circle').count()).toBe(5);
    expect(await auc.locator('polygon.band').count()).toBe(1);
    expect(
      await auc.locator('rect.shade').evaluateAll((r) => r.map((e) => e.getAttribute('data-window'))),
    ).toEqual(['5']);
    expect(
      await auc.locator('.alert-marker').evaluateAll((m) => m.map((e) => e.getAttribute('data-window'))),
    ).toEqual(['4']);
    // The realized point of the degraded week sits far below the estimate's (SVG y grows downwards).
    const ys = await auc
      .locator('g.series')
      .evaluateAll((gs) =>
        gs.map((g) =>
          Array.from(g.querySelectorAll('circle'), (c) =>
            Number((c as { getAttribute(n: string): string | null }).getAttribute('cy')),
          ),
        ),
      );
    expect(ys[1][4] - ys[0][4]).toBeGreaterThan(50);
    const box = await auc.boundingBox();
    expect(box!.width).toBeGreaterThan(300);

    // One score histogram per week, each against the reference; latency drawn per week.
    expect(await page.locator('#output figure.hist').count()).toBe(6);
    expect(await page.locator('#output path[data-series="reference"]').count()).toBe(6);
    expect(await page.locator('#chart-latency g[data-series="p99"]').getAttribute('data-points')).toBe('6');
    await page.close();
  });
});
