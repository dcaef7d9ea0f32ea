/**
 * What every ML CI gate returns (Q11): a verdict made of named expectations, each checked on one
 * subject (a column, a metric, a transform) and explained in one line that names the threshold, so
 * a failed build says what to fix without a debugger. The ML Test Score's idea (Breck et al. 2017,
 * "The ML Test Score: A Rubric for ML Production Readiness") of tests as a list of expectations.
 */

export type GateName = 'code' | 'data' | 'model';

export interface Finding {
  /** The expectation, e.g. `schema`, `null rate`, `leakage`, `golden`, `holdout vs production`. */
  expectation: string;
  /** What it was checked on: a column, a metric, a transform. */
  subject: string;
  passed: boolean;
  /** One line with the measured value and the threshold it was held to. */
  detail: string;
}

export interface GateResult {
  gate: GateName;
  passed: boolean;
  /** Every expectation checked, passed ones included (a report shows what was covered). */
  findings: Finding[];
  /** One line per failed expectation: `<expectation> <subject>: <detail>`. */
  reasons: string[];
  metrics: Record<string, number | string | null>;
}

export function finding(expectation: string, subject: string, passed: boolean, detail: string): Finding {
  return { expectation, subject, passed, detail };
}

/** The line a report prints for a finding. */
export function findingLine(f: Finding): string {
  return `${f.expectation} ${f.subject}: ${f.detail}`;
}

export function gateResult(
  gate: GateName,
  findings: Finding[],
  metrics: GateResult['metrics'] = {},
): GateResult {
  const failed = findings.filter((f) => !f.passed);
  return { gate, passed: failed.length === 0, findings, reasons: failed.map(findingLine), metrics };
}

/** Bad input to a gate or to the ci command (an empty dataset, an unknown option): refused before work. */
export class CiInputError extends Error {
  override name = 'CiInputError';
}
