/**
 * `pnpm train [--name payments-fraud] [--seed N] [--size N]`: trains the TF.js payments model and
 * registers it in the kept `registry` schema (Q18), so a later `pnpm serve --model <name>@champion`
 * finds it, with the embedded Postgres as well as with DATABASE_URL.
 */
import { parseArgs } from 'node:util';
import { acquire } from '@mlops-lab/services';
import { trainAndRegister } from './tf-model.ts';

function int(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${flag} must be a positive integer, got "${text}"`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { name: { type: 'string' }, seed: { type: 'string' }, size: { type: 'string' } },
  });
  const services = await acquire({ needs: ['postgres'], namespace: 'registry', keep: true });
  try {
    const started = performance.now();
    const result = await trainAndRegister({
      services,
      name: values.name ?? 'payments-fraud',
      seed: int('seed', values.seed, 7),
      size: int('size', values.size, 6000),
      log: (line) => console.log(line),
    });
    const m = result.metrics;
    console.log(
      `${values.name ?? 'payments-fraud'}@${result.version}  backend=${result.backend}  ` +
        `AUC=${m.auc?.toFixed(3)}  logloss=${m.logLoss.toFixed(3)}  ECE=${m.ece.toFixed(3)}  ` +
        `artifact=${result.hash.slice(0, 12)}  (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
  } finally {
    await services.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
