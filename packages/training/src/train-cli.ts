/**
 * `pnpm train [--name payments-fraud] [--seed N] [--size N | --snapshot <id>]`: trains the TF.js
 * payments model and registers it in the kept `registry` schema (Q18), so a later
 * `pnpm serve --model <name>@champion` finds it, with the embedded Postgres as well as with
 * DATABASE_URL. With `--snapshot`, on the rows of that dataset snapshot in the same schema (Q13),
 * verified first, and the version's data spec is the snapshot id.
 *
 * Every flag is checked before services start or training begins: exit 2 and one line for a usage
 * error, 1 for a failure, 0 when registered (or when the model already held this very artifact).
 */
import { checkModelName } from '@mlops-lab/registry';
import { acquire, parseCommandLine, runCommand, UsageError, usageCheck } from '@mlops-lab/services';
import { trainFromSnapshot } from './snapshot-train.ts';
import { trainAndRegister } from './tf-model.ts';
import { snapshotId, trainNumber } from './train-input.ts';

const USAGE = 'pnpm train [--name <model>] [--seed N] [--size N | --snapshot <sha256>]';

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(['name', 'seed', 'size', 'snapshot']);
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  const name = values.name ?? 'payments-fraud';
  usageCheck(() => checkModelName(name));
  const seed = usageCheck(() => trainNumber('seed', values.seed ?? '7', '--seed'));
  const size = usageCheck(() => trainNumber('size', values.size ?? '6000', '--size'));
  if (values.snapshot !== undefined && values.size !== undefined)
    throw new UsageError('--size and --snapshot exclude each other: a snapshot has its own rows');
  const snapshot = values.snapshot === undefined ? undefined : usageCheck(() => snapshotId(values.snapshot!));
  const services = await acquire({ needs: ['postgres'], namespace: 'registry', keep: true });
  try {
    const started = performance.now();
    const log = (line: string) => console.log(line);
    const result = snapshot
      ? await trainFromSnapshot({ services, name, seed, snapshot, log })
      : await trainAndRegister({ services, name, seed, size, log });
    const m = result.metrics;
    console.log(
      `${name}@${result.version}  backend=${result.backend}  ` +
        `AUC=${m.auc?.toFixed(3) ?? 'n/a'}  logloss=${m.logLoss.toFixed(3)}  ECE=${m.ece.toFixed(3)}  ` +
        `artifact=${result.hash.slice(0, 12)}${snapshot ? `  snapshot=${snapshot.slice(0, 12)}` : ''}  (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
    return 0;
  } finally {
    await services.close();
  }
}

runCommand(USAGE, main);
