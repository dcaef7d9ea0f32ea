/**
 * `pnpm ci:model --candidate <spec.json> --snapshot <id> [--production <name@alias>] [--profile <name>]
 * [--tolerance 0.02]`: the three gates of ML CI (Q11, Q12) on a candidate change, as a CI job runs
 * them: the fixed sample is a dataset snapshot (verified before use), the reference profile a stored
 * drift profile, the production model the registry's version behind the reference; all in the kept
 * `registry` schema (embedded data folder or DATABASE_URL), where `pnpm train` registers.
 *
 * Exit 0: every gate passed; 1: a gate failed (the report says which expectation), or a failure;
 * 2: a usage error (unknown option, bad value, unreadable or invalid spec), before services start.
 */
import { readFileSync } from 'node:fs';
import { driftMigrations, loadProfile } from '@mlops-lab/drift';
import { checkModelName, parseRef } from '@mlops-lab/registry';
import { acquire, parseCommandLine, runCommand, UsageError, usageCheck } from '@mlops-lab/services';
import { runModelCi } from './ci/run.ts';
import { parseCandidateSpec } from './ci/spec.ts';
import { snapshotEvents } from './snapshot-train.ts';
import { loadModel } from './tf-model.ts';
import { snapshotId } from './train-input.ts';

const USAGE =
  'pnpm ci:model --candidate <spec.json> --snapshot <sha256> [--production <name@alias>] [--profile <name>] [--tolerance 0..0.5]';

function readSpec(path: string) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read --candidate ${path}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
  return usageCheck(() => parseCandidateSpec(text));
}

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine([
    'candidate',
    'snapshot',
    'production',
    'profile',
    'tolerance',
  ]);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  if (!values.candidate) throw new UsageError('--candidate <spec.json> is required');
  if (!values.snapshot)
    throw new UsageError('--snapshot <id> is required: the fixed sample the gates run on');
  const candidate = readSpec(values.candidate);
  const snapshot = usageCheck(() => snapshotId(values.snapshot!));
  const production = values.production ?? 'payments-fraud@champion';
  usageCheck(() => checkModelName(parseRef(production).name));
  const profileName = values.profile ?? 'payments-reference';
  const tolerance = Number(values.tolerance ?? '0.02');
  if (!(tolerance >= 0 && tolerance <= 0.5))
    throw new UsageError(`--tolerance must be an AUC difference in [0, 0.5], got ${values.tolerance}`);

  const services = await acquire({ needs: ['postgres'], namespace: 'registry', keep: true });
  try {
    await services.migrate('drift', driftMigrations);
    const rows = await snapshotEvents(services, snapshot);
    const profile = await loadProfile(services.pg, profileName);
    const model = await loadModel(services, production, { log: () => {} });
    try {
      const result = await runModelCi({
        rows,
        candidate,
        profile,
        production: { ...model, ref: production },
        model: { tolerance },
      });
      for (const line of result.lines) console.log(line);
      return result.exitCode;
    } finally {
      model.dispose();
    }
  } finally {
    await services.close();
  }
}

runCommand(USAGE, main);
