/**
 * `pnpm monitor report`: the call is checked before any service starts, and the report read back from
 * a real prediction log in Postgres holds the windows asked for, the degraded one's alert, and the
 * label gap as of the moment asked.
 */
import { testServices } from '@mlops-lab/services/vitest';
import { describe, expect, it } from 'vitest';
import { reportWorld } from './fixtures/report-world.ts';
import type { PredictionRecord } from './record.ts';
import { inferSchema, parseReportCall, reportFromLog } from './report-cli.ts';
import { insertPredictions, migrateMonitoring, recordLabels } from './store.ts';

const services = testServices({
  needs: ['postgres'],
  namespace: 'monitoring-report',
  prepare: migrateMonitoring,
});
const DAY = 86_400_000;

describe('pnpm monitor report: the call', () => {
  const ok = [
    'report',
    '--out',
    'r.html',
    '--reference',
    '2026-01-05..2026-01-12',
    '--from',
    '2026-01-12',
    '--to',
    '2026-02-23',
  ];
  it('parses dates, the window and defaults', () => {
    const call = parseReportCall(ok, Date.UTC(2026, 2, 1));
    expect(call.reference).toEqual({ from: Date.UTC(2026, 0, 5), to: Date.UTC(2026, 0, 12) });
    expect(call.windowMs).toBe(7 * DAY);
    expect(call.asOf).toBe(Date.UTC(2026, 2, 1));
    expect(call.namespace).toBe('monitoring');
    expect(call.out).toMatch(/\/r\.html$/);
  });
  it.each([
    [['report'], /--out <file.html> is needed/],
    [['report', '--out', 'r.txt'], /should end in .html/],
    [[...ok.slice(0, 3)], /--reference <from>..<to> is needed/],
    [[...ok, '--window-days', '0'], /--window-days must be a whole number/],
    [
      [
        'report',
        '--out',
        'r.html',
        '--reference',
        '2026-01-12..2026-01-05',
        '--from',
        '2026-01-12',
        '--to',
        '2026-02-23',
      ],
      /ends before it starts/,
    ],
    [[...ok.slice(0, 7), '--to', 'March'], /"March" is not a date/],
    [[...ok, '--window-days', '1', '--to', '2040-01-01'], /given twice/],
    [['export', ...ok.slice(1)], /unknown command "export"/],
    [[...ok, '--namespace', 'Bad Name'], /--namespace "Bad Name"/],
  ])('%j is refused', (args, message) => {
    expect(() => parseReportCall(args as string[])).toThrow(message);
  });
  it('reads the schema off the reference features', () => {
    expect(
      inferSchema([{ features: { a: 1, b: 'x', c: null } }, { features: { a: null, b: 'y', c: 2 } }]),
    ).toEqual([
      { name: 'a', type: 'numeric' },
      { name: 'b', type: 'categorical' },
      { name: 'c', type: 'numeric' },
    ]);
  });
});

describe('pnpm monitor report: from the log', () => {
  it('reports the windows asked for, the degraded one alerting, the unlabelled one awaiting', async () => {
    const world = reportWorld({
      windows: 4,
      rowsPerWindow: 1200,
      referenceSize: 2000,
      conceptFrom: 2,
      labelledBefore: 3,
    });
    // The reference goes into the log as the week before, labelled.
    const start = world.windowed[0].window.start;
    const ref = reportWorld({ windows: 1, rowsPerWindow: 2000, seed: 9 }).windowed[0].rows.map((r, i) => ({
      ...r,
      requestId: `ref-${i}`,
      at: start - 7 * DAY + Math.floor((i * 7 * DAY) / 2000),
    }));
    const all = [...ref, ...world.windowed.flatMap((w) => w.rows)];
    const records: PredictionRecord[] = all.map(({ label: _l, labelledAt: _at, ...r }) => ({
      ...r,
      features: r.features as PredictionRecord['features'],
    }));
    for (let i = 0; i < records.length; i += 1000)
      await insertPredictions(services.pg, records.slice(i, i + 1000));
    await recordLabels(
      services.pg,
      all
        .filter((r) => r.label !== null)
        .map((r) => ({ requestId: r.requestId, label: r.label!, labelledAt: r.labelledAt! })),
    );
    const data = await reportFromLog(services.pg, {
      title: 't',
      reference: { from: start - 7 * DAY, to: start },
      from: start,
      to: world.windowed.at(-1)!.window.end,
      windowMs: 7 * DAY,
      asOf: world.asOf,
    });
    expect(data.reference.n).toBe(2000);
    expect(data.windows.map((w) => w.n)).toEqual([1200, 1200, 1200, 1200]);
    expect(data.windows.map((w) => w.realized.status)).toEqual([
      'complete',
      'complete',
      'complete',
      'awaiting',
    ]);
    expect(data.windows[2].alerts.some((a) => a.monitor === 'realized')).toBe(true);
    expect(data.windows[0].alerts).toEqual([]);
    await expect(
      reportFromLog(services.pg, {
        ...{ title: 't', windowMs: 7 * DAY, asOf: world.asOf },
        reference: { from: 0, to: 1000 },
        from: start,
        to: start + DAY,
      }),
    ).rejects.toThrow(/has 0 labelled predictions/);
  });
});
