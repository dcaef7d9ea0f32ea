/**
 * `pnpm retrain worker` (the pipeline config in RETRAIN_CONFIG: how a user scales the pipeline out, one
 * process per worker) and `pnpm retrain history [--model NAME] [--schema NAME]`: every scheduled run of a
 * model with its outcome, reason, attempts, workers, snapshot and step timings, read from Postgres
 * (default: the kept `retrain` schema). Exit 2 with one line for a usage error, before any service starts.
 */

import { checkModelName } from '@mlops-lab/registry';
import { acquire, parseCommandLine, runCommand, UsageError, usageCheck } from '@mlops-lab/services';
import { HISTORY_HEAD, historyRows, runHistory } from './history.ts';
import { workerMain } from './worker-main.ts';

const USAGE = 'pnpm retrain worker | pnpm retrain history [--model <name>]';

async function main(): Promise<number> {
  const { values, positionals } = parseCommandLine(['model']);
  const [command, extra] = positionals;
  if (command === 'worker') {
    await workerMain();
    return new Promise<number>(() => {}); // runs until a signal
  }
  if (command !== 'history')
    throw new UsageError(command ? `unknown command "${command}"` : 'a command is required');
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
  const model = values.model ?? 'payments-retrain';
  usageCheck(() => checkModelName(model));
  const services = await acquire({ needs: ['postgres'], namespace: 'retrain', keep: true });
  try {
    const { rows } = await services.pg.query("SELECT to_regclass('retrain_runs') IS NOT NULL AS present");
    const history = rows[0].present ? await runHistory(services.pg, model) : [];
    if (history.length === 0) {
      console.log(`no scheduled runs of ${model} recorded in schema ${services.schema}`);
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
