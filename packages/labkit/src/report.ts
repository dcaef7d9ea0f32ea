/**
 * What the runner prints around a lab (ARCHITECTURE.md "Lab anatomy"): the header (title, Q-numbers,
 * seed, mode, fault, backends), then the checks, the metrics, the verdict and the closing `exit N:` line. Kept apart from
 * `run.ts` so the orchestration there reads top to bottom.
 */
import type { Services } from '@mlops-lab/services';
import { asDesigned, type ExpectationDiff } from './expectation.ts';
import { fmt } from './format.ts';
import type { ConsoleNarrator } from './narrator.ts';
import type { LabBreak, LabDefinition, LabReport, Metrics } from './types.ts';

export function questionList(questions: readonly number[]): string {
  return questions.map((q) => `Q${q}`).join(', ');
}

export function printHeader(
  out: ConsoleNarrator,
  lab: LabDefinition,
  run: { seed: number; quick: boolean; fault: string | null; mystery: boolean },
): void {
  const { c } = out;
  const fault = run.mystery
    ? c.yellow('break: mystery (armed, name hidden)')
    : run.fault
      ? c.yellow(`break: ${run.fault}`)
      : c.green('healthy');
  out.line(`${c.bold(c.cyan(lab.name))} ${c.dim('—')} ${c.bold(lab.title)}`);
  out.line(`  ${c.dim('questions')}  ${questionList(lab.questions) || '—'}`);
  out.line(`  ${c.dim('run      ')}  seed ${run.seed} · ${run.quick ? 'quick' : 'full'} · ${fault}`);
}

/** Header rows under the `services` label: the first row carries the label, the rest align with it. */
export function serviceRows(out: ConsoleNarrator): { row(text: string): void; readonly used: boolean } {
  let used = false;
  return {
    row(text: string) {
      out.line(`  ${used ? '         ' : out.c.dim('services ')}  ${text}`);
      used = true;
    },
    get used() {
      return used;
    },
  };
}

/** The backends chosen, for an `acquire` that logged nothing itself (services' own log says the same). */
export function printBackends(rows: ReturnType<typeof serviceRows>, backends: Services['backends']): void {
  for (const [name, info] of Object.entries(backends)) {
    if (info) rows.row(`${name}: ${info.kind}, ${info.url}`);
  }
}

function metricValue(value: Metrics[string]): string {
  if (typeof value === 'number') return fmt.num(value);
  if (value === null) return '—';
  return String(value);
}

export function printResults(
  out: ConsoleNarrator,
  report: LabReport,
  elapsedMs: number,
  /** Why the checks that failed did (a mystery's symptom), printed after the FAILED count. */
  failedBecause?: string,
): void {
  const { c } = out;
  out.line();
  out.line(c.bold('Checks'));
  for (const ch of report.checks) {
    const mark = ch.passed ? c.green('✔') : c.red('✘');
    const name = ch.passed ? ch.name : c.red(ch.name);
    out.line(`  ${mark} ${name}${ch.detail ? c.dim(` — ${ch.detail}`) : ''}`);
  }
  if (report.checks.length === 0) out.line(c.dim('  (this lab returned no checks)'));
  const keys = Object.keys(report.metrics);
  if (keys.length > 0) {
    out.line();
    out.line(c.bold('Metrics'));
    const width = Math.max(...keys.map((k) => k.length));
    for (const k of keys) out.line(`  ${k.padEnd(width)}  ${metricValue(report.metrics[k])}`);
  }
  const failed = report.checks.filter((ch) => !ch.passed).length;
  const total = report.checks.length;
  out.line();
  out.line(
    report.passed
      ? c.green(c.bold(`✔ PASSED  ${total}/${total} checks in ${fmt.ms(elapsedMs)}`))
      : c.red(c.bold(`✘ FAILED  ${failed} of ${total} checks in ${fmt.ms(elapsedMs)}`)) +
          (failedBecause ? c.dim(`: ${failedBecause}`) : ''),
  );
}

/**
 * The process exit code of a finished run (ARCHITECTURE.md "Lab anatomy"): a guess decides a
 * `--mystery --guess` run (0 right, 1 wrong); otherwise 0 when every check passed, else 1.
 */
export function exitCodeOf(report: LabReport): 0 | 1 {
  if (report.guess) return report.guess.correct ? 0 : 1;
  return report.passed ? 0 : 1;
}

/** What a run was: healthy, under a named break, or under a hidden one (with or without a guess). */
export interface RunKind {
  lab: LabDefinition;
  /** The armed fault, also in a mystery run (the caller redacts what is printed). */
  fault: LabBreak | null;
  mystery: boolean;
  /** The checks against what `fault` (or a healthy run) is designed to flip. */
  diff: ExpectationDiff;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** Why the failed checks failed, when the run is a mystery that behaved as designed. */
export function failedBecause(run: RunKind): string | undefined {
  return run.mystery && asDesigned(run.diff) ? "the armed fault's symptom, as designed" : undefined;
}

/**
 * The runner's last line: the exit code and what it means, so that a non-zero exit that was the
 * point of the run (a break, a mystery) does not read like a crash.
 */
export function endingLine(report: LabReport, run: RunKind): string {
  const code = exitCodeOf(report);
  const failed = report.checks.filter((ch) => !ch.passed).length;
  const designed = asDesigned(run.diff);
  const say = (text: string) => `exit ${code}: ${text}`;
  if (report.guess) {
    return report.guess.correct
      ? say(
          `right guess; the ${count(failed, 'failed check')} above ${failed === 1 ? 'is' : 'are'} what the fault does`,
        )
      : say('wrong guess; the fault stays hidden: read the failing checks again and guess another');
  }
  if (run.mystery) {
    return designed
      ? say(`the armed fault flipped ${count(failed, 'check')}, as designed (its symptom, not a crash)`)
      : say(
          'the armed fault did not flip the checks it is designed to flip (a lab bug: its lab test names it)',
        );
  }
  if (run.fault) {
    if (designed) {
      return say(
        `the break flipped ${count(failed, 'check')}, as expected; why: pnpm lab ${run.lab.name} --explain ${run.fault.name}`,
      );
    }
    const parts = [
      run.diff.unexpectedFailures.length > 0 && `also failed: ${run.diff.unexpectedFailures.join('; ')}`,
      run.diff.unexpectedPasses.length > 0 && `still passed: ${run.diff.unexpectedPasses.join('; ')}`,
      run.diff.missing.length > 0 && `no check named: ${run.diff.missing.join('; ')}`,
    ].filter(Boolean);
    return say(
      `not what --break ${run.fault.name} is designed to do (flip: ${run.fault.flips.join('; ') || 'nothing'}); ${parts.join('; ')}`,
    );
  }
  return report.passed
    ? say('healthy run, every check passed')
    : say(`${count(failed, 'check')} failed on a healthy run (no fault armed): see the ✘ lines above`);
}

export function printEnding(out: ConsoleNarrator, report: LabReport, run: RunKind): void {
  const text = endingLine(report, run);
  const expected = asDesigned(run.diff) && (!report.guess || report.guess.correct);
  out.line(exitCodeOf(report) === 0 || expected ? out.c.dim(text) : out.c.yellow(text));
}
export function printMysteryPrompt(
  out: ConsoleNarrator,
  lab: LabDefinition,
  run: { seed: number; quick: boolean },
) {
  const again = `pnpm lab ${lab.name} --mystery --seed ${run.seed}${run.quick ? ' --quick' : ''} --guess <fault>`;
  out.line(out.c.yellow('mystery fault armed: diagnose it from the output above.'));
  out.line(`  candidates and hints: pnpm lab ${lab.name} --list-breaks`);
  out.line(`  check your diagnosis: ${again}`);
}

export function printGuessVerdict(out: ConsoleNarrator, actual: LabBreak, guess: string): void {
  const { c } = out;
  out.line();
  if (guess === actual.name) {
    out.unredacted(() => {
      out.line(c.green(c.bold(`✔ correct: the mystery fault was ${actual.name}`)));
      out.line(`  ${c.dim('symptom')}      ${actual.symptom}`);
      out.line(`  ${c.dim('explanation')}  ${actual.explanation}`);
    });
  } else {
    out.line(
      c.red(c.bold(`✘ not ${guess}: look again at the failing checks and the hints of --list-breaks`)),
    );
  }
}
