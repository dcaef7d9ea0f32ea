/**
 * `pnpm lab`: list the labs, run one, show its breaks, explain one, play a mystery
 * (ARCHITECTURE.md "Lab anatomy"). `main` takes argv, the catalogue and the streams as arguments so
 * tests drive it in-process with fake labs; `scripts/lab.ts` only wires it to the process.
 * Exit codes: 0 every check passed (or a right guess), 1 a check failed / wrong guess / crash,
 * 2 the command itself was wrong.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import {
  ConsoleNarrator,
  exitCodeOf,
  findBreak,
  hintOf,
  type InvestigationPlan,
  type LabDefinition,
  LabUsageError,
  type OutStream,
  questionList,
  type RunLabOptions,
  runLab,
  validateSeed,
} from '@mlops-lab/labkit';
import { interruptedBy } from '@mlops-lab/services';

export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  env: NodeJS.ProcessEnv;
  /** Read for the step-by-step prompt of a mystery run, only when it is a terminal. */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
  /** Extra runLab options (tests inject `acquire`, `slowMs`). */
  run?: Partial<RunLabOptions>;
}

export const USAGE = `usage: pnpm lab                      list the labs
       pnpm lab <name> [options]     run one

options:
  --quick            small data, done in seconds (what the lab tests use)
  --seed N           seed of every random choice (default 1)
  --break <fault>    switch a named fault on
  --list-breaks      this lab's faults: symptom and hint
  --explain <fault>  what a fault does and why it shows the way it does
  --mystery          arm a fault picked by the seed, without naming it
  --guess <fault>    with --mystery (same --seed): check your diagnosis
  --investigate <step[,step]>  run only these diagnostics, in order, and count them
                     (labs with diagnostic steps; a mystery run on a terminal asks step by step)
  --report <file>    write the lab's report there (labs that write one: monitoring, HTML)
  --json             narration to stderr, one JSON line on stdout
  -h, --help         this text

exit codes: 0 every check passed · 1 a check failed, a wrong guess, or a crash · 2 usage error`;

const OPTIONS = {
  quick: { type: 'boolean' },
  seed: { type: 'string' },
  break: { type: 'string' },
  'list-breaks': { type: 'boolean' },
  explain: { type: 'string' },
  mystery: { type: 'boolean' },
  guess: { type: 'string' },
  investigate: { type: 'string', multiple: true },
  report: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Flags = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  // `pnpm lab -- drift --quick` forwards the `--`; it would turn every flag into a positional.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    throw new LabUsageError(friendlyParseError(error));
  }
}

/** node:util's messages explain `--` escaping at length; say what was wrong in one line. */
function friendlyParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown option ${unknown[1]}`;
  const missing = /Option '(--[\w-]+)[^']*' argument missing/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  return message.split('. ')[0];
}

function parseSeed(raw: string | undefined): number {
  if (raw === undefined) return 1;
  if (!/^\d+$/.test(raw)) throw new LabUsageError(`--seed must be a non-negative integer, got "${raw}"`);
  return validateSeed(Number(raw));
}

function findLab(catalogue: readonly LabDefinition[], name: string): LabDefinition {
  const lab = catalogue.find((l) => l.name === name);
  if (lab) return lab;
  const names = catalogue.map((l) => l.name);
  throw new LabUsageError(`unknown lab "${name}"; labs: ${names.join(', ') || '(none yet)'}`, names);
}

/** Flags that only make sense with a lab name, or that contradict each other. */
function checkCombinations(flags: Flags, name: string | undefined): void {
  const runFlags = (['quick', 'seed', 'break', 'mystery', 'guess', 'investigate', 'report'] as const).filter(
    (f) => flags[f] !== undefined,
  );
  const infoFlags = (['list-breaks', 'explain'] as const).filter((f) => flags[f] !== undefined);
  if (!name && (runFlags.length > 0 || infoFlags.length > 0)) {
    throw new LabUsageError(`--${[...runFlags, ...infoFlags][0]} needs a lab name: pnpm lab <name> ...`);
  }
  if (infoFlags.length > 1) throw new LabUsageError('choose one of --list-breaks and --explain');
  const conflicting = runFlags.filter((f) => f !== 'quick' && f !== 'seed');
  if (infoFlags.length > 0 && conflicting.length > 0) {
    throw new LabUsageError(`--${infoFlags[0]} only prints; it does not combine with --${conflicting[0]}`);
  }
  if (flags.break !== undefined && flags.mystery)
    throw new LabUsageError('--break names the fault; --mystery hides it: choose one');
  if (flags.guess !== undefined && !flags.mystery) {
    throw new LabUsageError('--guess checks a --mystery run: pnpm lab <name> --mystery --guess <fault>');
  }
}

export async function main(argv: string[], catalogue: readonly LabDefinition[], io: CliIO): Promise<number> {
  const debug = io.env.DEBUG === '1' || io.env.DEBUG === 'true';
  try {
    const { values: flags, positionals } = parse(argv);
    if (flags.help) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length > 1) throw new LabUsageError(`one lab at a time; got ${positionals.join(', ')}`);
    const name = positionals[0];
    checkCombinations(flags, name);
    if (!name) return listLabs(catalogue, io, flags.json ?? false);

    const lab = findLab(catalogue, name);
    if (flags['list-breaks']) return listBreaks(lab, io, flags.json ?? false);
    if (flags.explain !== undefined) return explain(lab, flags.explain, io, flags.json ?? false);

    const report = await runLab(lab, {
      ...io.run,
      quick: flags.quick ?? false,
      seed: parseSeed(flags.seed),
      fault: flags.break ?? null,
      mystery: flags.mystery ?? false,
      guess: flags.guess,
      investigate: investigationPlan(lab, flags, io),
      report: flags.report,
      json: flags.json ?? false,
      stdout: io.stdout,
      stderr: io.stderr,
      env: io.env,
    });
    return exitCodeOf(report);
  } catch (error) {
    return fail(error, io.stderr, debug);
  }
}

/**
 * `--investigate a,b --investigate c` is the list a, b, c. Without it, a mystery run of a lab with
 * diagnostic steps asks for one step at a time when stdin is a terminal; otherwise every step runs.
 */
function investigationPlan(lab: LabDefinition, flags: Flags, io: CliIO): InvestigationPlan | undefined {
  if (flags.investigate !== undefined) {
    return { steps: flags.investigate.flatMap((v) => v.split(',')).map((v) => v.trim()) };
  }
  if (!flags.mystery || !lab.investigations?.length || !io.stdin?.isTTY || flags.json) return undefined;
  const stdin = io.stdin;
  return {
    async ask(available, taken) {
      const rl = createInterface({ input: stdin, output: io.stdout as NodeJS.WritableStream });
      try {
        const names = available.map((s) => s.name);
        for (;;) {
          const answer = (
            await rl.question(
              `\nstep ${taken.length + 1}: which diagnostic (${names.join(', ')}; empty to stop)? `,
            )
          ).trim();
          if (answer === '') return null;
          if (names.includes(answer)) return answer;
          io.stdout.write(`no step "${answer}"\n`);
        }
      } finally {
        rl.close();
      }
    },
  };
}

function fail(error: unknown, stderr: OutStream, debug: boolean): number {
  // A Ctrl-C closes the run's services under the running lab, whose next query then fails: that
  // error is the interrupt's echo, not a crash to report.
  const signal = interruptedBy();
  if (signal) {
    stderr.write(`interrupted (${signal}): removing this run's schema, keys and servers, then exiting\n`);
    return signal === 'SIGINT' ? 130 : 143;
  }
  const message = error instanceof Error ? error.message : String(error);
  stderr.write(`error: ${message}\n`);
  const hint = hintOf(error);
  if (hint) stderr.write(`hint: ${hint}\n`);
  if (error instanceof LabUsageError) {
    stderr.write('see: pnpm lab --help\n');
    stderr.write('exit 2: the command was not valid, nothing ran\n');
    return 2;
  }
  if (debug && error instanceof Error && error.stack) stderr.write(`${error.stack}\n`);
  else stderr.write('(DEBUG=1 prints the stack)\n');
  // runLab's own `exit N:` line comes after the checks; a crash never reached them.
  stderr.write('exit 1: the run stopped on an error before its checks (a crash, not a failed check)\n');
  return 1;
}

function listLabs(catalogue: readonly LabDefinition[], io: CliIO, json: boolean): number {
  if (json) {
    const rows = catalogue.map((l) => ({
      name: l.name,
      title: l.title,
      questions: l.questions,
      needs: l.needs,
      breaks: l.breaks.map((b) => b.name),
    }));
    io.stdout.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  const out = new ConsoleNarrator({ stream: io.stdout, env: io.env });
  out.line(out.c.bold('Labs'));
  if (catalogue.length === 0) out.say('(none yet: add one to scripts/catalogue.ts)');
  else {
    out.table(
      ['name', 'title', 'questions', 'services', 'breaks'],
      catalogue.map((l) => [
        l.name,
        l.title,
        questionList(l.questions),
        l.needs.join(', ') || 'none',
        l.breaks.map((b) => b.name).join('\n') || 'none',
      ]),
    );
  }
  out.line();
  out.line(`run one: pnpm lab <name> [--quick] [--seed N] [--break <fault> | --mystery] [--json]`);
  out.line(`more:    pnpm lab --help`);
  return 0;
}

function listBreaks(lab: LabDefinition, io: CliIO, json: boolean): number {
  if (json) {
    const rows = lab.breaks.map(({ name, symptom, hint }) => ({ name, symptom, hint }));
    io.stdout.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  const out = new ConsoleNarrator({ stream: io.stdout, env: io.env });
  out.line(`${out.c.bold(lab.name)} ${out.c.dim('—')} breaks`);
  if (lab.breaks.length === 0) out.say('(this lab has no breaks)');
  for (const b of lab.breaks) {
    out.line();
    out.line(`  ${out.c.yellow(b.name)}`);
    out.line(`    ${out.c.dim('symptom')}  ${b.symptom}`);
    out.line(`    ${out.c.dim('hint   ')}  ${b.hint}`);
  }
  if (lab.investigations?.length) {
    out.line();
    out.line(`  ${out.c.bold('diagnostic steps')} (--investigate <step[,step]>)`);
    for (const s of lab.investigations) out.line(`    ${out.c.yellow(s.name.padEnd(12))} ${s.summary}`);
  }
  out.line();
  out.line(`run one: pnpm lab ${lab.name} --break <fault>; why: --explain <fault>; blind: --mystery`);
  return 0;
}

function explain(lab: LabDefinition, fault: string, io: CliIO, json: boolean): number {
  const b = findBreak(lab, fault);
  if (json) {
    const { name, symptom, hint, explanation, flips } = b;
    io.stdout.write(`${JSON.stringify({ name, symptom, hint, explanation, flips })}\n`);
    return 0;
  }
  const out = new ConsoleNarrator({ stream: io.stdout, env: io.env });
  out.line(`${out.c.bold(lab.name)} ${out.c.dim('—')} ${out.c.yellow(b.name)}`);
  out.line(`  ${out.c.dim('symptom    ')}  ${b.symptom}`);
  out.line(`  ${out.c.dim('hint       ')}  ${b.hint}`);
  out.line(`  ${out.c.dim('explanation')}  ${b.explanation}`);
  out.line(`  ${out.c.dim('flips      ')}  ${b.flips.join('; ') || 'no check'}`);
  out.line();
  out.line(`see it: pnpm lab ${lab.name} --break ${b.name}`);
  return 0;
}
