/**
 * `pnpm train` run as a person runs it (a child process on an empty embedded data folder): every
 * flag is checked before services start or training begins (exit 2, one stderr line, no artifact,
 * no database), and retraining identical data reuses the version that holds the same artifact.
 */
import { commandUnderTest, runScript } from '@mlops-lab/services/testing';
import { describe, expect, it } from 'vitest';

const { refusal, run, dir } = commandUnderTest('packages/training/src/train-cli.ts');
const REGISTRY = 'packages/registry/src/cli.ts';

describe('pnpm train checks its flags before any work', () => {
  it('refuses an unsafe --name before training', async () => {
    expect(await refusal('--name', '../../etc')).toMatch(
      /model name "\.\.\/\.\.\/etc" must be 1-64 characters of \[A-Za-z0-9._-\]/,
    );
  });

  it('refuses a --size too small for a holdout with both classes, stating the minimum', async () => {
    expect(await refusal('--size', '4')).toMatch(/--size must be an integer from 400 to 1000000 .*got "4"/);
  });

  it('an unknown option, a missing value or a bad value exits 2 with the usage line', async () => {
    expect(await refusal('--sise', '400')).toMatch(/^unknown option --sise; usage: pnpm train/);
    expect(await refusal('--size')).toMatch(/^--size needs a value; usage: pnpm train/);
    expect(await refusal('--seed', 'abc')).toMatch(
      /^--seed must be an integer .*got "abc"; usage: pnpm train/,
    );
    expect(await refusal('--seed', '-1')).toMatch(/^--seed must be an integer .*got "-1"; usage: pnpm train/);
    expect(await refusal('payments')).toMatch(/^unexpected argument "payments"; usage: pnpm train/);
  });

  it('refuses a malformed --snapshot id, and --snapshot with --size', async () => {
    expect(await refusal('--snapshot', 'latest')).toMatch(
      /^--snapshot must be a snapshot id \(64 lowercase hex digits\), got "latest"/,
    );
    expect(await refusal('--snapshot', 'a'.repeat(64), '--size', '400')).toMatch(
      /^--size and --snapshot exclude each other/,
    );
  });
});

describe('pnpm train on identical data', () => {
  it('reuses the version holding the same artifact and does not move the alias again', async () => {
    const data = dir();
    const first = await run(['--size', '400', '--seed', '3'], data);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^payments-fraud@1 /m);
    const again = await run(['--size', '400', '--seed', '3'], data);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      /payments-fraud@1 already holds this artifact \(hash [0-9a-f]{12}…\): not registering a new version/,
    );
    const list = await runScript(REGISTRY, ['list', 'payments-fraud'], data);
    expect(list.stdout.split('\n').filter((l) => l.startsWith('payments-fraud@'))).toHaveLength(1);
    const history = await runScript(REGISTRY, ['history', 'payments-fraud'], data);
    expect(history.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/champion: - -> 1 {2}\(first registered version\)$/),
    ]);
  }, 240_000); // four commands, each starting an embedded Postgres: minutes on a saturated machine
});
