/**
 * What every `pnpm <command>` of the repo shares about being called: options are parsed strictly,
 * the command, the number of arguments and whole-number options are checked, a mistake in the call
 * is a UsageError, and the exit code keeps the README's promise (0 ok, 1 failure, 2 usage error)
 * with one line on stderr. Used by `pnpm train`, `pnpm registry`, `pnpm retrain`, `pnpm serve` and
 * the others, which all validate their input with it before starting any service.
 */
import { parseArgs } from 'node:util';
import { errorMessage } from './errors.ts';

/** A call the command cannot run as given: exit 2, its message and the usage on one line. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  /** The usage line to print with it, when it is not the command's general one. */
  readonly usage: string | undefined;
  constructor(message: string, usage?: string) {
    super(message);
    this.usage = usage;
  }
}

/** A call as parsed, with the checks commands make of it before any work (each a UsageError). */
export class CommandLine {
  constructor(
    /** `--name value` / `--name=value`, for the declared options only. */
    readonly values: Record<string, string | undefined>,
    readonly positionals: string[],
  ) {}

  /** The first positional as the command (`pnpm registry list ...`), one of `commands`; none, or another, is refused. */
  command<C extends string>(commands: readonly C[]): C {
    const given = this.positionals[0];
    if (given !== undefined && (commands as readonly string[]).includes(given)) return given as C;
    throw new UsageError(given === undefined ? 'a command is needed' : `unknown command "${given}"`);
  }

  /** Refuses positionals past the first `max`, naming the first one too many. */
  refuseArgumentsPast(max: number, usage?: string): void {
    const extra = this.positionals[max];
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`, usage);
  }

  /**
   * Option `--<name>` as a whole number from `min` to `max` (digits only: `-1`, `1e3`, `0x10` are
   * refused), `fallback` when not given; else refused, naming the option, the range and the text.
   */
  integer(name: string, range: { min: number; max: number }, fallback: number): number {
    const text = this.values[name];
    if (text === undefined) return fallback;
    const n = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
    if (Number.isSafeInteger(n) && n >= range.min && n <= range.max) return n;
    throw new UsageError(
      `--${name} must be an integer from ${range.min} to ${range.max}, got ${JSON.stringify(text.slice(0, 20))}`,
    );
  }
}

/** A negative number is a value (`alias m champion -1`), not a cluster of short options `-1`. */
const NEGATIVE_NUMBER = /^-\d/;

/**
 * Parses string-valued `--options` and positionals. Unlike parseArgs' strict mode, a negative number
 * reaches the command as a value, so the command can say what is wrong with it; an unknown option, a
 * missing value or an option given twice is a UsageError.
 */
export function parseCommandLine(optionNames: readonly string[], args = process.argv.slice(2)): CommandLine {
  const options = Object.fromEntries(optionNames.map((n) => [n, { type: 'string' as const }]));
  const { tokens } = parseArgs({ args, options, allowPositionals: true, strict: false, tokens: true });
  const values: Record<string, string | undefined> = {};
  const positionals: string[] = [];
  let lastIndex = -1;
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    else if (token.kind === 'option-terminator') continue;
    else if (NEGATIVE_NUMBER.test(args[token.index])) {
      // parseArgs splits `-12` into one token per character, all with the same index.
      if (token.index !== lastIndex) positionals.push(args[token.index]);
    } else if (!optionNames.includes(token.name)) {
      throw new UsageError(`unknown option ${token.rawName}`);
    } else if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
      throw new UsageError(`${token.rawName} needs a value`);
    } else if (values[token.name] !== undefined) {
      throw new UsageError(`${token.rawName} is given twice`);
    } else {
      values[token.name] = token.value;
    }
    lastIndex = token.index;
  }
  return new CommandLine(values, positionals);
}

/** Runs a validation of the call; whatever it throws becomes a UsageError (exit 2). */
export function usageCheck<T>(check: () => T, usage?: string): T {
  try {
    return check();
  } catch (error) {
    throw new UsageError(oneLine(errorMessage(error)), usage);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** `--help` or `-h` anywhere before a `--` terminator asks for the help text instead of a run. */
export function wantsHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * Runs a command's main (or prints its help for `--help`) and sets the exit code: main's own number, 2 for a UsageError (message and
 * usage on one stderr line), 1 for anything else (its message on one line, `describe` may reword it).
 * Sets process.exitCode rather than exiting, so a server's graceful shutdown is never cut short.
 */
export function runCommand(
  usage: string,
  main: () => Promise<number>,
  describe: (error: unknown) => string = errorMessage,
  /** What `--help` / `-h` prints (stdout, exit 0, nothing else runs); by default the usage line. */
  help = `usage: ${usage}`,
): void {
  if (wantsHelp(process.argv.slice(2))) {
    console.log(help);
    process.exitCode = 0;
    return;
  }
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      if (error instanceof UsageError) {
        console.error(`${oneLine(error.message)}; usage: ${error.usage ?? usage}`);
        process.exitCode = 2;
        return;
      }
      console.error(oneLine(describe(error)));
      process.exitCode = 1;
    },
  );
}
