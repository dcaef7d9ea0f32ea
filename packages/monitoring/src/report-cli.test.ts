/**
 * `pnpm monitor report`: the call is checked before any service starts, and the report read back from
 * a real prediction log in Postgres holds the windows asked for, the degraded one's alert, and the
 * label gap as of the moment asked.
 */
import { testServices } from '@mlops-lab/services/vitest';
import { describe, expect, it } from 'vitest';
import { inferSchema, parseReportCall, reportFromLog } from './report-cli.ts';
import { reportWorld, writeDemoLog } from './report-demo.ts';
import { migrateMonitoring } from './store.ts';

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
    if (call.command !== 'report') throw new Error('expected a report call');
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
  it('demo takes --out only', () => {
    expect(parseReportCall(['demo', '--out', 'd.html'])).toMatchObject({ command: 'demo' });
    expect(() => parseReportCall(['demo', '--out', 'd.html', '--from', '2026-01-01'])).toThrow(
      /--from is for report/,
    );
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
    await writeDemoLog(services.pg, world);
    const start = world.windowed[0].window.start;
    const data = await reportFromLog(services.pg, {
      title: 't',
      reference: world.referenceRange,
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
