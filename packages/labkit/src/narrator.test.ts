import { describe, expect, it } from 'vitest';
import { capture } from './fakes.ts';
import { ConsoleNarrator, colorEnabled } from './narrator.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const plain = { env: {} as NodeJS.ProcessEnv };

describe('ConsoleNarrator in a log (non-TTY)', () => {
  it('numbers steps and returns what the step function returns', async () => {
    const stream = capture();
    const out = new ConsoleNarrator({ stream, ...plain });
    out.step('First');
    const value = await out.step('Second', async () => 42);
    expect(value).toBe(42);
    expect(stream.lines().filter((l) => l.length > 0)).toEqual(['1. First', '2. Second']);
  });

  it('prints "done in" only for slow steps and no spinner frames', async () => {
    const stream = capture();
    // A wide gap between fast and slow: on a loaded CI machine even an empty step took over 30 ms.
    const out = new ConsoleNarrator({ stream, ...plain, slowMs: 500 });
    await out.step('fast', async () => {});
    await out.step('slow', () => sleep(550));
    const text = stream.text();
    expect(text.match(/done in/g)).toHaveLength(1);
    expect(text).toMatch(/2\. slow\n {3}done in \d+ ms\n$/);
    expect(text).not.toMatch(/[⠋⠙⠹⠸\r]/);
  });

  it('prints status lines only in a step past slowMs, at most every 5 s', async () => {
    const stream = capture();
    const out = new ConsoleNarrator({ stream, ...plain, slowMs: 50 });
    out.status('outside any step'); // no step running: ignored
    await out.step('build', async () => {
      out.status('10 of 100 added'); // before slowMs: not printed
      await sleep(80);
      out.status('50 of 100 added'); // printed
      out.status('60 of 100 added'); // within 5 s of the last: not printed
    });
    expect(stream.lines().filter((l) => l.includes('added') || l.includes('outside'))).toEqual([
      '   … 50 of 100 added',
    ]);
  });

  it('reports a failed step and rethrows', async () => {
    const stream = capture();
    const out = new ConsoleNarrator({ stream, ...plain });
    await expect(out.step('boom', () => Promise.reject(new Error('bad')))).rejects.toThrow('bad');
    expect(stream.text()).toMatch(/failed after/);
  });

  it('renders tables, pointers and prose without ANSI codes', () => {
    const stream = capture();
    const out = new ConsoleNarrator({ stream, ...plain });
    out.table(
      ['feature', 'p', 'drifted'],
      [
        ['amount', 0.000012, true],
        ['country', 0.5, false],
        ['hour', null, null],
      ],
    );
    out.pointer('packages/drift/src/ks.ts', 'the KS statistic');
    out.say('two\nlines');
    const text = stream.text();
    expect(text).not.toContain('\u001b[');
    expect(text).toMatch(/feature\s+│\s+p\s+│ drifted/);
    expect(text).toMatch(/amount\s+│\s+1\.2e-5 │ yes/);
    expect(text).toMatch(/│\s+0\.5 │/); // numeric column right-aligned
    expect(text).toContain('   → read packages/drift/src/ks.ts: the KS statistic\n');
    expect(text).toContain('   two\n   lines\n');
  });

  it('charts with a caption and notes', () => {
    const stream = capture();
    const out = new ConsoleNarrator({ stream, ...plain });
    out.chart([{ label: 'psi', values: [0.1, Number.NaN, 0.4] }], { caption: 'PSI per week', height: 3 });
    expect(stream.text()).toContain('── psi');
    expect(stream.text()).toContain('   PSI per week\n');
    expect(stream.text()).toContain('note: psi: 1 point(s) without a value, left blank');
  });

  it('writes nothing when silent, but still runs steps', async () => {
    const out = new ConsoleNarrator({ stream: null, ...plain });
    expect(await out.step('x', async () => 'ran')).toBe('ran');
  });

  it('redacts every line, except inside unredacted()', () => {
    const stream = capture();
    const out = new ConsoleNarrator({ stream, ...plain, redact: (t) => t.replaceAll('secret', '***') });
    out.say('the secret fault');
    out.unredacted(() => out.say('secret revealed'));
    expect(stream.text()).toBe('   the *** fault\n   secret revealed\n');
  });
});

describe('ConsoleNarrator on a terminal', () => {
  /** A fake TTY: ora moves the cursor and clears lines on it. */
  function tty() {
    const stream = capture(true);
    return Object.assign(stream, {
      columns: 80,
      cursorTo: () => true,
      moveCursor: () => true,
      clearLine: () => true,
    });
  }

  it('shows a spinner with elapsed seconds only after slowMs', async () => {
    const slow = tty();
    await new ConsoleNarrator({ stream: slow, ...plain, slowMs: 20 }).step('slow', () => sleep(250));
    expect(slow.text()).toMatch(/step 1 · 0\.\ds/);

    // A sizeless pseudo-terminal gets the log behaviour: ora loops forever on 0 columns.
    const sizeless = Object.assign(tty(), { columns: 0 });
    await new ConsoleNarrator({ stream: sizeless, ...plain, slowMs: 20 }).step('slow', () => sleep(60));
    expect(sizeless.text()).not.toContain('step 1 ·');
    expect(sizeless.text()).toContain('done in');

    // A status joins the spinner's text instead of printing a line of its own.
    const status = tty();
    const building = new ConsoleNarrator({ stream: status, ...plain, slowMs: 20 });
    await building.step('build', async () => {
      building.status('5 of 9 added');
      await sleep(250);
    });
    expect(status.text()).toMatch(/step 1 · 5 of 9 added · 0\.\ds/);
    expect(status.text()).not.toContain('… 5 of 9');

    const fast = tty();
    await new ConsoleNarrator({ stream: fast, ...plain, slowMs: 1000 }).step('fast', async () => {});
    expect(fast.text()).not.toContain('step 1 ·');
    expect(fast.text()).not.toContain('done in');
  });
});

describe('colorEnabled', () => {
  it('follows NO_COLOR, FORCE_COLOR and the TTY', () => {
    expect(colorEnabled(capture(true), {})).toBe(true);
    expect(colorEnabled(capture(false), {})).toBe(false);
    expect(colorEnabled(capture(true), { NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled(capture(false), { FORCE_COLOR: '1' })).toBe(true);
    expect(colorEnabled(null, { FORCE_COLOR: '1' })).toBe(false);
  });
});
