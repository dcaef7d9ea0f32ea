import { describe, expect, it } from 'vitest';
import { flag, intArg, measure, median, race, time } from './index.ts';

describe('benchkit', () => {
  it('median of odd and even lengths, NaN when empty', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it('intArg reads --name N and rejects what is not a positive integer', () => {
    expect(intArg('runs', 5, ['node', 'x', '--runs', '9'])).toBe(9);
    expect(intArg('runs', 5, ['node', 'x'])).toBe(5);
    expect(() => intArg('runs', 5, ['node', 'x', '--runs', 'abc'])).toThrow(
      '--runs needs a positive integer',
    );
    expect(() => intArg('runs', 5, ['node', 'x', '--runs', '0'])).toThrow();
    expect(flag('quick', ['node', 'x', '--quick'])).toBe(true);
    expect(flag('quick', ['node', 'x'])).toBe(false);
  });

  it('measure, time and race call the functions; measure sees the time a function spends', () => {
    let calls = 0;
    expect(measure(() => calls++)).toMatchObject({ wall: expect.any(Number), cpu: expect.any(Number) });
    expect(calls).toBe(1);
    // A lower bound cannot flake on a slow machine: 20 ms of spinning is at least 20 ms of wall time,
    // and CPU time (user + system) is spent by this process alone while it spins.
    const spin = measure(() => {
      const end = performance.now() + 20;
      while (performance.now() < end) calls += 0;
    });
    expect(spin.wall).toBeGreaterThanOrEqual(20);
    expect(spin.cpu).toBeGreaterThan(0);
    time(3, () => calls++);
    expect(calls).toBe(4);
    const timings = race(2, [() => calls++, () => calls++]);
    expect(timings).toHaveLength(2);
    expect(calls).toBe(4 + 2 + 4); // one warm-up each, then two interleaved runs each
  });
});
