/**
 * `pnpm retrain` (Q14):
 * - `run [--weeks N] [--workers N] [--seed N] [--model NAME]`: the weekly pipeline with worker processes
 *   on a fast clock, into the kept `retrain` schema (run-command.ts);
 * - `history [--model NAME]`: every scheduled run of a model with its outcome, reason, executions,
 *   workers, snapshot and step timings, read from that schema;
 * - `worker` (the pipeline config in RETRAIN_CONFIG): one more worker process, how a user scales out.
 * Exit 2 with one line for a usage error, before any service starts.
 */

import { checkModelName, migrateRegistry } from '@mlops-lab/registry';
import {
  acquire,
  errorMessage,
  parseCommandLine,
  runCommand,
  UsageError,
  usageCheck,
} from '@mlops-lab/services';
import { trainNumber } from '../train-input.ts';
import { HISTORY_HEAD, historyRows, runHistory } from './history.ts';
import { RUN_LIMITS, retrainRun } from './run-command.ts';
import { migrateRetrain } from './schema.ts';
import { workerMain } from './worker-main.ts';

const USAGE =
  'pnpm retrain run [--weeks 1..25] [--workers 1..4] [--seed N] [--model <name>] | pnpm retrain history [--model <name>] | pnpm retrain worker';

const DEFAULT_MODEL = 'payments-retrain';

async function main(): Promise<number> {
  const line = parseCommandLine(['model', 'weeks', 'workers', 'seed']);
  const { values } = line;
  const command = line.command(['run', 'history', 'worker']);
  if (command === 'worker') {
    // A worker that cannot start exits at once: its open connections would otherwise keep it alive.
    await workerMain().catch((error: unknown) => {
      console.error(errorMessage(error));
      process.exit(1);
    });
    return new Promise<number>(() => {}); // runs until a signal
  }
  line.refuseArgumentsPast(1);
  if (command === 'history' && (values.weeks ?? values.workers ?? values.seed) !== undefined)
    throw new UsageError('history takes --model only');
  const model = values.model ?? DEFAULT_MODEL;
  usageCheck(() => checkModelName(model));

  if (command === 'run') {
    const options = {
      model,
      weeks: line.integer('weeks', RUN_LIMITS.weeks, 8),
      workers: line.integer('workers', RUN_LIMITS.workers, 2),
      seed: values.seed === undefined ? 1 : usageCheck(() => trainNumber('seed', values.seed!, '--seed')),
    };
    const services = await acquire({ needs: ['postgres', 'redis'], namespace: 'retrain', keep: true });
    try {
      await migrateRegistry(services);
      await migrateRetrain(services);
      return await retrainRun(services, options);
    } finally {
      await services.close();
    }
  }

  const services = await acquire({ needs: ['postgres'], namespace: 'retrain', keep: true });
  try {
    const { rows } = await services.pg.query("SELECT to_regclass('retrain_runs') IS NOT NULL AS present");
    const history = rows[0].present ? await runHistory(services.pg, model) : [];
    if (history.length === 0) {
      console.log(
        `no scheduled runs of ${model} recorded in schema ${services.schema}; pnpm retrain run makes some`,
      );
      return 0;
    }
    console.log(HISTORY_HEAD.join(' | '));
    for (const r of historyRows(history, 200)) console.log(r.join(' | '));
    return 0;
  } finally {
    await services.close();
  }
}

runCommand(USAGE, main);
