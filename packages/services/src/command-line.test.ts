/** The shared command-line checks of `pnpm train`, `pnpm registry`, `pnpm retrain` and `pnpm serve`. */
import { describe, expect, it } from 'vitest';
import { parseCommandLine, usageCheck, wantsHelp } from './command-line.ts';

const parse = (...args: string[]) => parseCommandLine(['reason', 'seed'], args);
/** What a refused call throws, for `toThrow`: a UsageError with these fields. */
const usageError = (fields: { message: string; usage?: string }) =>
  expect.objectContaining({ name: 'UsageError', ...fields });

describe('parseCommandLine', () => {
  it('reads options in both spellings and keeps negative numbers as values', () => {
    expect(parse('alias', 'm', 'champion', '-1', '--reason', 'why')).toEqual({
      values: { reason: 'why' },
      positionals: ['alias', 'm', 'champion', '-1'],
    });
    expect(parse('--seed=-12', 'x', '-1.5')).toEqual({ values: { seed: '-12' }, positionals: ['x', '-1.5'] });
    expect(parse('--seed', '-3').values.seed).toBe('-3');
  });

  it('refuses an unknown option, a missing value and an option given twice', () => {
    expect(() => parse('--sede', '1')).toThrow(usageError({ message: 'unknown option --sede' }));
    expect(() => parse('-h')).toThrow(usageError({ message: 'unknown option -h' }));
    expect(() => parse('--seed')).toThrow(usageError({ message: '--seed needs a value' }));
    expect(() => parse('--seed', '--reason', 'x')).toThrow(usageError({ message: '--seed needs a value' }));
    expect(() => parse('--seed', '1', '--seed=2')).toThrow(usageError({ message: '--seed is given twice' }));
  });

  it('usageCheck turns a validation failure into a one-line UsageError with its usage', () => {
    const failing = () => {
      throw new Error('bad\nvalue');
    };
    expect(() => usageCheck(failing, 'pnpm x <y>')).toThrow(
      usageError({ message: 'bad value', usage: 'pnpm x <y>' }),
    );
    expect(usageCheck(() => 3)).toBe(3);
  });

  it('command: the first positional, one of the commands; else none given or an unknown one', () => {
    expect(parse('alias', 'm').command(['list', 'alias'])).toBe('alias');
    expect(() => parse().command(['list'])).toThrow(usageError({ message: 'a command is needed' }));
    expect(() => parse('lsit').command(['list'])).toThrow(usageError({ message: 'unknown command "lsit"' }));
    expect(() => parse('toString').command(['list'])).toThrow(
      usageError({ message: 'unknown command "toString"' }),
    );
  });

  it('refuseArgumentsPast names the first positional past the limit, with the usage given', () => {
    expect(() => parse('m', 'a').refuseArgumentsPast(2)).not.toThrow();
    expect(() => parse('m', 'a', 'b').refuseArgumentsPast(1, 'pnpm x <m>')).toThrow(
      usageError({ message: 'unexpected argument "a"', usage: 'pnpm x <m>' }),
    );
  });

  it('integer: digits within the range, the fallback when not given; else the option, range and text', () => {
    const range = { min: 1, max: 25 };
    expect(parse('--seed', '25').integer('seed', range, 8)).toBe(25);
    expect(parse('--seed', '01').integer('seed', range, 8)).toBe(1);
    expect(parse().integer('seed', range, 8)).toBe(8);
    for (const text of ['0', '26', '-1', '1.5', '1e1', ' 3', '', '99999999999999999']) {
      expect(() => parse(`--seed=${text}`).integer('seed', range, 8)).toThrow(
        usageError({ message: `--seed must be an integer from 1 to 25, got ${JSON.stringify(text)}` }),
      );
    }
  });

  it('wantsHelp: --help or -h before a -- terminator, not a value that merely contains it', () => {
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['list', 'm', '-h'])).toBe(true);
    expect(wantsHelp(['--reason', '--helpful'])).toBe(false);
    expect(wantsHelp(['--', '--help'])).toBe(false);
    expect(wantsHelp([])).toBe(false);
  });
});
