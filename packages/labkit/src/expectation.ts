/**
 * What a run was designed to do against what it did (ARCHITECTURE.md "Lab anatomy": healthy, every
 * check passes; under a break, exactly the checks it names in `flips` fail). One comparison, used by
 * the lab tests (`diffAgainstExpected`) and by the runner's closing line (report.ts).
 */
import type { Check } from './types.ts';

export interface ExpectationDiff {
  /** Checks that failed although the run (healthy, or this break) should keep them passing. */
  unexpectedFailures: string[];
  /** Checks the break should flip that passed anyway. */
  unexpectedPasses: string[];
  /** Names in the break's `flips` that no check reported (usually a renamed check). */
  missing: string[];
}

/** What `diffAgainstExpected` returns when the run behaved exactly as designed. */
export const NO_SURPRISES: ExpectationDiff = Object.freeze({
  unexpectedFailures: [],
  unexpectedPasses: [],
  missing: [],
}) as ExpectationDiff;

/** Compares checks with the names a fault should flip (`[]` for a healthy run). */
export function diffChecks(checks: readonly Check[], flips: readonly string[]): ExpectationDiff {
  const expectedFail = new Set(flips);
  const reported = new Set(checks.map((ch) => ch.name));
  return {
    unexpectedFailures: checks.filter((ch) => !ch.passed && !expectedFail.has(ch.name)).map((ch) => ch.name),
    unexpectedPasses: checks.filter((ch) => ch.passed && expectedFail.has(ch.name)).map((ch) => ch.name),
    missing: flips.filter((name) => !reported.has(name)),
  };
}

export function asDesigned(diff: ExpectationDiff): boolean {
  return (
    diff.unexpectedFailures.length === 0 && diff.unexpectedPasses.length === 0 && diff.missing.length === 0
  );
}
