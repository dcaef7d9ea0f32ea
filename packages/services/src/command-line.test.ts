/** The shared command-line parsing of `pnpm train`, `pnpm registry` and `pnpm serve`. */
import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError, usageCheck, wantsHelp } from './command-line.ts';

const parse = (...args: string[]) => parseCommandLine(['reason', 'seed'], args);
function thrown(work: () => unknown): UsageError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError, nothing was thrown');
}
const refusal = (...args: string[]) => thrown(() => parse(...args)).message;

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
    expect(refusal('--sede', '1')).toBe('unknown option --sede');
    expect(refusal('-h')).toBe('unknown option -h');
    expect(refusal('--seed')).toBe('--seed needs a value');
    expect(refusal('--seed', '--reason', 'x')).toBe('--seed needs a value');
    expect(refusal('--seed', '1', '--seed=2')).toBe('--seed is given twice');
  });

  it('usageCheck turns a validation failure into a one-line UsageError with its usage', () => {
    const error = thrown(() =>
      usageCheck(() => {
        throw new Error('bad\nvalue');
      }, 'pnpm x <y>'),
    );
    expect(error).toMatchObject({ message: 'bad value', usage: 'pnpm x <y>' });
    expect(usageCheck(() => 3)).toBe(3);
  });

  it('wantsHelp: --help or -h before a -- terminator, not a value that merely contains it', () => {
    expect(wantsHelp(['--help'])).toBe(true);
    expect(wantsHelp(['list', 'm', '-h'])).toBe(true);
    expect(wantsHelp(['--reason', '--helpful'])).toBe(false);
    expect(wantsHelp(['--', '--help'])).toBe(false);
    expect(wantsHelp([])).toBe(false);
  });
});
