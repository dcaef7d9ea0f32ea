/**
 * The contract between a lab and the runner (ARCHITECTURE.md "Lab anatomy").
 * A lab is data (name, questions, needs, breaks) plus `run(ctx)`, which narrates and returns checks.
 */
import type { ServiceNeed, Services } from '@mlops-lab/services';

export interface LabBreak {
  /** Kebab-case fault name used with `--break`, e.g. `unit-change`. */
  name: string;
  /** What the learner will see, shown by `--list-breaks`. */
  symptom: string;
  /** A nudge toward the cause, shown by `--list-breaks`. */
  hint: string;
  /** The full explanation, shown only by `--explain <fault>`. */
  explanation: string;
  /** Names of the checks this fault makes fail (the lab test asserts exactly these fail). */
  flips: string[];
}

export interface Check {
  name: string;
  passed: boolean;
  detail: string;
}

export type Metrics = Record<string, number | string | boolean | null>;

export interface LabOutcome {
  checks: Check[];
  metrics: Metrics;
  /** Only in `--mystery --guess` runs: the learner's diagnosis and whether it was right. */
  guess?: { fault: string; correct: boolean };
}

export interface Narrator {
  /** Numbered step heading ("1. Build the reference profile"). */
  step(title: string): void;
  /** Runs fn under a step heading; shows a spinner with elapsed time when it takes over a second. */
  step<T>(title: string, fn: () => Promise<T>): Promise<T>;
  /** A line of prose. */
  say(text: string): void;
  /**
   * Progress inside a running step ("HNSW: 50,000 of 200,000 added"): on a terminal it becomes the
   * spinner's text; in a log it is printed once the step has run a second, at most every 5 s.
   * Work that calls it should yield (await) between calls, or the spinner cannot redraw.
   */
  status(text: string): void;
  /** A table with a header row; cells are stringified. */
  table(headers: string[], rows: (string | number | boolean | null)[][]): void;
  /** A small terminal line chart of one or more series over the same x positions. */
  chart(series: { label: string; values: number[] }[], options?: { height?: number; caption?: string }): void;
  /** "Read the code: packages/drift/src/ks.ts — why". */
  pointer(path: string, why: string): void;
}

/** One diagnostic a learner can run on its own with `--investigate <name>` (labs that declare them). */
export interface LabInvestigation {
  /** Kebab-case step name, e.g. `registry`. */
  name: string;
  /** What the step looks at, shown by the prompt and `--list-breaks`. */
  summary: string;
}

/**
 * Which diagnostics the learner picked: a list (`--investigate a,b`), or a prompt asked once per step
 * (a terminal in a mystery run) that answers a step name or null to stop.
 */
export type InvestigationPlan =
  | { steps: readonly string[] }
  | { ask(available: readonly LabInvestigation[], taken: readonly string[]): Promise<string | null> };

export interface LabContext {
  quick: boolean;
  seed: number;
  /** The active fault, or null for a healthy run. */
  fault: string | null;
  services: Services;
  out: Narrator;
  /** Only for labs that declare `investigations`: the learner's plan, or null to run every step. */
  investigate: InvestigationPlan | null;
  /** Only for labs that declare `report`: where `--report <file>` asked the lab to write it, or null. */
  report?: string | null;
}

export interface LabDefinition {
  name: string;
  title: string;
  questions: number[];
  needs: ServiceNeed[];
  breaks: LabBreak[];
  /** Diagnostics `--investigate` may name; absent for labs that run as one piece. */
  investigations?: LabInvestigation[];
  /** What `--report <file>` writes, for a lab that can write one (e.g. "an HTML report of every week"). */
  report?: string;
  run(ctx: LabContext): Promise<LabOutcome>;
}

/** What `runLab` returns and what `--json` prints as the last stdout line. */
export interface LabReport {
  lab: string;
  break: string | null;
  passed: boolean;
  checks: Check[];
  metrics: Metrics;
  /** Only in `--mystery --guess` runs: the learner's diagnosis and whether it was right. */
  guess?: { fault: string; correct: boolean };
}
