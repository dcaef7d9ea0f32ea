/**
 * What the runner prints around a lab (ARCHITECTURE.md "Lab anatomy"): the header (title, Q-numbers,
 * seed, mode, fault, backends), then the checks, the metrics and the verdict. Kept apart from
 * `run.ts` so the orchestration there reads top to bottom.
 */
import type { Services } from '@mlops-lab/services';
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

export function printResults(out: ConsoleNarrator, report: LabReport, elapsedMs: number): void {
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
      : c.red(c.bold(`✘ FAILED  ${failed} of ${total} checks in ${fmt.ms(elapsedMs)}`)),
  );
}

/** Under `--break`, say whether the run failed the way the break is designed to (helps lab authors too). */
export function printBreakVerdict(out: ConsoleNarrator, lab: LabDefinition, br: LabBreak, report: LabReport) {
  const failing = new Set(report.checks.filter((ch) => !ch.passed).map((ch) => ch.name));
  const asDesigned = br.flips.length === failing.size && br.flips.every((name) => failing.has(name));
  if (asDesigned) {
    out.line(
      out.c.dim(
        `the break flipped exactly the checks it targets; why: pnpm lab ${lab.name} --explain ${br.name}`,
      ),
    );
  } else {
    out.line(
      out.c.yellow(`note: --break ${br.name} is expected to flip: ${br.flips.join('; ') || 'nothing'}`),
    );
  }
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
