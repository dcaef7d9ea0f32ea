/**
 * ML CI as one run (Q11: deployment is gated on all three, not just one): the code, data and model
 * gates on a candidate change, every gate run even when an earlier one failed (a build reports all
 * it found at once), and a report a person reads in a CI log: one line per gate, one line per failed
 * expectation naming the column, metric and threshold. Exit code 0 when all pass, else 1.
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import type { Profile } from '@mlops-lab/drift';
import { codeGate } from './code-gate.ts';
import { dataGate } from './data-gate.ts';
import type { GateResult } from './gate.ts';
import { type CandidateSpec, type ModelGateOptions, modelGate, type ProductionModel } from './model-gate.ts';
import { PAYMENTS_ID_COLUMNS } from './payments-source.ts';

export interface ModelCiInput {
  /** The fixed sample, time-ordered (a snapshot's rows). */
  rows: readonly PaymentEvent[];
  candidate: CandidateSpec;
  production: ProductionModel;
  /** The reference profile the data gate holds the rows to. */
  profile: Profile;
  model?: ModelGateOptions;
}

export interface ModelCiResult {
  passed: boolean;
  exitCode: 0 | 1;
  gates: GateResult[];
  /** The report, line by line. */
  lines: string[];
}

export function formatGate(g: GateResult): string[] {
  const failed = g.findings.length - g.findings.filter((f) => f.passed).length;
  const head = `${g.passed ? '✔' : '✘'} ${g.gate} gate: ${g.passed ? `${g.findings.length} expectations passed` : `${failed} of ${g.findings.length} expectations failed`}`;
  return [head, ...g.reasons.map((r) => `    ✘ ${r}`)];
}

export async function runModelCi(input: ModelCiInput): Promise<ModelCiResult> {
  const code = codeGate(input.rows, input.candidate);
  const data = dataGate(input.rows as unknown as Record<string, unknown>[], {
    profile: input.profile,
    label: 'label',
    idColumns: PAYMENTS_ID_COLUMNS,
    extraFeatures: input.candidate.extraFeatures,
  });
  const model = await modelGate(input.rows, input.candidate, input.production, input.model);
  const gates = [code, data, model];
  const passed = gates.every((g) => g.passed);
  const failedGates = gates.filter((g) => !g.passed).map((g) => g.gate);
  const lines = [
    ...gates.flatMap(formatGate),
    passed
      ? 'ci:model PASS: the change may deploy'
      : `ci:model FAIL (${failedGates.join(', ')}): the change is blocked`,
  ];
  return { passed, exitCode: passed ? 0 : 1, gates, lines };
}
