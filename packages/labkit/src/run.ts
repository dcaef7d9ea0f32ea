/**
 * `runLab`: the one code path that runs a lab for the CLI, for `lab.test.ts` and for anyone else
 * (ARCHITECTURE.md "Lab anatomy"). Validate the fault, acquire services, print the header, run the
 * lab, ALWAYS close services, print checks and metrics, end with the `exit N:` line saying what
 * the exit code means for this run, return the report. With `json`, all
 * narration goes to stderr and stdout gets exactly one line: the JSON report.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { AcquireOptions, Services } from '@mlops-lab/services';
import { LabRunError, LabUsageError } from './errors.ts';
import { diffChecks } from './expectation.ts';
import { pickMystery, redactor } from './mystery.ts';
import { ConsoleNarrator, type OutStream } from './narrator.ts';
import { noServices } from './no-services.ts';
import {
  failedBecause,
  printBackends,
  printEnding,
  printGuessVerdict,
  printHeader,
  printMysteryPrompt,
  printResults,
  type RunKind,
  serviceRows,
} from './report.ts';
import type { InvestigationPlan, LabBreak, LabDefinition, LabOutcome, LabReport } from './types.ts';

export type AcquireFn = (options: AcquireOptions) => Promise<Services>;

export interface RunLabOptions {
  /** Small data, for tests (ARCHITECTURE.md "Lab anatomy": under 30 s). */
  quick?: boolean;
  /** Default 1. A non-negative safe integer. */
  seed?: number;
  /** A name from `lab.breaks`, or null/undefined for a healthy run. */
  fault?: string | null;
  /**
   * Hide the fault: narration and the report say "mystery". Without `fault`, the fault is
   * `pickMystery(lab.breaks, seed)`.
   */
  mystery?: boolean;
  /** With `mystery`: the learner's diagnosis, judged after the checks (report.guess). */
  guess?: string;
  /** Diagnostics to run one at a time (`--investigate`), for a lab that declares `investigations`. */
  investigate?: InvestigationPlan;
  /** A file for the lab's report (`--report`), for a lab that declares `report`. */
  report?: string;
  /** Narration to stderr, one JSON line (the report) to stdout. */
  json?: boolean;
  /** No narration at all (the JSON line is still written when `json` is set). */
  silent?: boolean;
  /** Passed to `acquire`: a throwaway embedded Postgres (tests). */
  ephemeral?: boolean;
  stdout?: OutStream;
  stderr?: OutStream;
  env?: NodeJS.ProcessEnv;
  /** Defaults to `acquire` from @mlops-lab/services, loaded only when a lab needs services. */
  acquire?: AcquireFn;
  /** Spinner / `done in` threshold, see NarratorOptions.slowMs. */
  slowMs?: number;
}

export function findBreak(lab: LabDefinition, name: string): LabBreak {
  const found = lab.breaks.find((b) => b.name === name);
  if (found) return found;
  const names = lab.breaks.map((b) => b.name);
  const valid = names.length > 0 ? `valid faults: ${names.join(', ')}` : 'this lab has no breaks';
  throw new LabUsageError(`unknown fault "${name}" for lab ${lab.name}; ${valid}`, names);
}

/** Refuses `--report` for a lab that writes none, and a file whose folder does not exist. */
export function validateReport(lab: LabDefinition, file: string | undefined): void {
  if (file === undefined) return;
  if (!lab.report) throw new LabUsageError(`lab ${lab.name} writes no report; --report is for labs that do`);
  if (file.trim() === '') throw new LabUsageError('--report needs a file name, e.g. --report report.html');
  const dir = dirname(resolve(file));
  if (!existsSync(dir) || !statSync(dir).isDirectory())
    throw new LabUsageError(`--report ${file}: folder ${dir} does not exist`);
}

/** Refuses `--investigate` for a lab without diagnostics, and any step name the lab does not declare. */
export function validateInvestigation(lab: LabDefinition, plan: InvestigationPlan | undefined): void {
  if (plan === undefined) return;
  const names = (lab.investigations ?? []).map((s) => s.name);
  if (names.length === 0) throw new LabUsageError(`lab ${lab.name} has no diagnostic steps to --investigate`);
  if (!('steps' in plan)) return;
  if (plan.steps.length === 0) throw new LabUsageError('--investigate needs at least one step');
  for (const step of plan.steps) {
    if (!names.includes(step))
      throw new LabUsageError(
        `unknown step "${step}" for lab ${lab.name}; steps: ${names.join(', ')}`,
        names,
      );
  }
}

export function validateSeed(seed: number): number {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new LabUsageError(`seed must be a non-negative integer, got ${seed}`);
  }
  return seed;
}

const defaultAcquire: AcquireFn = async (options) => {
  // Imported lazily: labs without services (and labkit's own tests) never load pg, ioredis or PGlite.
  const services = await import('@mlops-lab/services');
  return services.acquire(options);
};

function validateOutcome(outcome: LabOutcome): void {
  if (!outcome || !Array.isArray(outcome.checks)) throw new Error('run() must return { checks, metrics }');
  const seen = new Set<string>();
  for (const ch of outcome.checks) {
    // Breaks name the checks they flip, so a duplicate name would make that mapping ambiguous.
    if (seen.has(ch.name)) throw new Error(`run() returned two checks named "${ch.name}"`);
    seen.add(ch.name);
  }
}

export async function runLab(lab: LabDefinition, options: RunLabOptions = {}): Promise<LabReport> {
  const quick = options.quick ?? false;
  const seed = validateSeed(options.seed ?? 1);
  const mystery = options.mystery ?? false;
  let fault = options.fault ?? null;
  if (mystery && fault === null) {
    if (lab.breaks.length === 0)
      throw new LabUsageError(`lab ${lab.name} has no breaks to pick a mystery from`);
    fault = pickMystery(lab.breaks, seed).name;
  }
  const active = fault === null ? null : findBreak(lab, fault);
  if (options.guess !== undefined) {
    if (!mystery) throw new LabUsageError('a guess only makes sense with --mystery');
    findBreak(lab, options.guess);
  }
  validateInvestigation(lab, options.investigate);
  validateReport(lab, options.report);

  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const redact = redactor(mystery ? fault : null);
  const out = new ConsoleNarrator({
    stream: options.silent ? null : options.json ? stderr : stdout,
    env: options.env,
    redact,
    slowMs: options.slowMs,
  });
  const started = performance.now();
  printHeader(out, lab, { seed, quick, fault, mystery });

  const services = await acquireFor(lab, options, out, redact);

  let outcome: LabOutcome | undefined;
  let failure: LabRunError | undefined;
  try {
    const investigate = options.investigate ?? null;
    const reportFile = options.report === undefined ? null : resolve(options.report);
    outcome = await lab.run({ quick, seed, fault, services, out, investigate, report: reportFile });
    validateOutcome(outcome);
  } catch (error) {
    failure = new LabRunError(lab.name, 'run failed', error);
  } finally {
    try {
      await services.close();
    } catch (error) {
      if (failure) failure.cleanupError = error;
      else failure = new LabRunError(lab.name, 'closing services failed', error);
    }
  }
  if (failure) throw scrubbed(failure, redact);

  const checks = outcome!.checks.map((ch) => ({
    name: redact(ch.name),
    passed: ch.passed,
    detail: redact(ch.detail),
  }));
  const metrics = Object.fromEntries(
    Object.entries(outcome!.metrics ?? {}).map(([k, v]) => [k, typeof v === 'string' ? redact(v) : v]),
  );
  const report: LabReport = {
    lab: lab.name,
    break: mystery ? 'mystery' : fault,
    passed: checks.every((ch) => ch.passed),
    checks,
    metrics,
  };
  // Compared on the printed names: a mystery's check names went through the same redaction.
  const kind: RunKind = {
    lab,
    fault: active,
    mystery,
    diff: diffChecks(checks, (active?.flips ?? []).map(redact)),
  };
  printResults(out, report, performance.now() - started, failedBecause(kind));
  if (mystery && active) {
    if (options.guess === undefined) printMysteryPrompt(out, lab, { seed, quick });
    else {
      report.guess = { fault: options.guess, correct: options.guess === active.name };
      printGuessVerdict(out, active, options.guess);
    }
  }
  printEnding(out, report, kind);
  if (options.json) stdout.write(`${JSON.stringify(report)}\n`);
  return report;
}

async function acquireFor(
  lab: LabDefinition,
  options: RunLabOptions,
  out: ConsoleNarrator,
  redact: (text: string) => string,
): Promise<Services> {
  const rows = serviceRows(out);
  if (lab.needs.length === 0) {
    rows.row('none');
    return noServices(lab.name);
  }
  const acquire = options.acquire ?? defaultAcquire;
  try {
    // services logs one line per backend as it comes up: those lines are the header's services rows.
    const services = await out.progress(
      'starting services',
      () => acquire({ needs: lab.needs, namespace: lab.name, ephemeral: options.ephemeral, log: rows.row }),
      ' '.repeat(13),
    );
    if (!rows.used) printBackends(rows, services.backends);
    return services;
  } catch (error) {
    throw scrubbed(new LabRunError(lab.name, 'could not acquire services', error), redact);
  }
}

/** An error may quote the fault name (a lab's own message, a hint): a mystery must not leak through a crash. */
function scrubbed(error: LabRunError, redact: (text: string) => string): LabRunError {
  error.message = redact(error.message);
  if (error.hint) error.hint = redact(error.hint);
  if (error.stack) error.stack = redact(error.stack);
  return error;
}
