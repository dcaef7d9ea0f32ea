/**
 * `pnpm retrain` run as a person runs it (a child process on an empty embedded data folder): a bad call
 * is refused before any service starts (exit 2, one stderr line with the usage), and a worker started
 * without its config exits 1 at once instead of waiting on open connections.
 */
import { commandUnderTest } from '@mlops-lab/services/testing';
import { describe, expect, it } from 'vitest';

const { refusal, run } = commandUnderTest('packages/training/src/retrain/cli.ts');

describe('pnpm retrain checks its call before any work', () => {
  it('refuses a missing or unknown command, and options that do not belong to it', async () => {
    expect(await refusal()).toMatch(/^a command is needed; usage: pnpm retrain run/);
    expect(await refusal('train')).toMatch(/^unknown command "train"; usage: pnpm retrain run/);
    expect(await refusal('history', '--weeks', '3')).toMatch(/^history takes --model only; usage:/);
    expect(await refusal('run', 'extra')).toMatch(/^unexpected argument "extra"; usage:/);
  });

  it('refuses --weeks, --workers and --seed out of range, stating the range', async () => {
    expect(await refusal('run', '--weeks', '0')).toMatch(/^--weeks must be an integer from 1 to 25, got "0"/);
    expect(await refusal('run', '--weeks', '26')).toMatch(
      /^--weeks must be an integer from 1 to 25, got "26"/,
    );
    expect(await refusal('run', '--workers', '9')).toMatch(
      /^--workers must be an integer from 1 to 4, got "9"/,
    );
    expect(await refusal('run', '--seed', '-1')).toMatch(
      /^--seed must be an integer from 0 to \d+, got "-1"/,
    );
    expect(await refusal('run', '--model', '../x')).toMatch(/model name "\.\.\/x" must be 1-64 characters/);
  });

  it('a worker without RETRAIN_CONFIG exits 1 with one line', async () => {
    const result = await run(['worker']);
    expect(result.status).toBe(1);
    expect(result.stderrLines).toEqual([
      'retrain worker: RETRAIN_CONFIG is not set (the pipeline config as JSON)',
    ]);
  });
});
