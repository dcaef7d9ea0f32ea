/**
 * `pnpm registry` run as a person runs it (a child process on an empty embedded data folder): a bad
 * name, version, alias or option is a usage error, exit 2 with one stderr line, refused before any
 * service starts, so nothing can have been written.
 */
import { commandUnderTest, runScript } from '@mlops-lab/services/testing';
import { describe, expect, it } from 'vitest';

const { refusal, run, dir } = commandUnderTest('packages/registry/src/cli.ts');

describe('pnpm registry refuses bad input before any work', () => {
  it('list and history with an invalid model name exit 2', async () => {
    expect(await refusal('list', '../../etc')).toMatch(/model name "\.\.\/\.\.\/etc" .*\[A-Za-z0-9/);
    expect(await refusal('history', 'no spaces allowed')).toMatch(/model name "no spaces allowed"/);
  });

  it('alias with a version beyond int4 is a usage error, not a Postgres error', async () => {
    const line = await refusal('alias', 'm', 'champion', '99999999999', '--reason', 'r');
    expect(line).toMatch(/version must be an integer from 1 to 2147483647, got "99999999999"/);
    expect(line).not.toMatch(/out of range/);
  });

  it('alias with a 100 KB alias is refused in a short line', async () => {
    const line = await refusal('alias', 'm', 'c'.repeat(100_000), '1', '--reason', 'r');
    expect(line).toMatch(/alias .* is 100000 characters; at most 64/);
    expect(line.length).toBeLessThan(400);
  });

  it('alias reads -1 as a version and refuses it', async () => {
    expect(await refusal('alias', 'm', 'champion', '-1', '--reason', 'r')).toMatch(
      /version must be an integer from 1 to 2147483647, got "-1"/,
    );
  });

  it('an unknown option, a missing argument or a missing value exits 2 with the usage', async () => {
    expect(await refusal('list', 'm', '--verbose')).toMatch(/unknown option --verbose; usage: pnpm registry/);
    expect(await refusal('alias', 'm', 'champion')).toMatch(/usage: pnpm registry alias <name> <alias>/);
    expect(await refusal('alias', 'm', 'champion', '2', '--reason')).toMatch(/--reason needs a value/);
    expect(await refusal('frobnicate', 'm')).toMatch(/unknown command "frobnicate"; usage: pnpm registry/);
  });

  it('route refuses a bad table or a missing reason before any work', async () => {
    expect(await refusal('route', 'm', 'champion=95', '2=4', '--reason', 'r')).toMatch(
      /weights sum to 99, not 100/,
    );
    expect(await refusal('route', 'm', 'champion=95', '2=5')).toMatch(/a routing change needs --reason/);
    expect(await refusal('route', 'm', 'champion:95')).toMatch(/"champion:95" is not target=weight/);
    expect(await refusal('route', 'm', '--reason', 'r')).toMatch(
      /--reason is only for alias, and for route with a table/,
    );
  });
});

describe('pnpm registry route and history on the embedded services', () => {
  it('shows no table, refuses one whose targets do not resolve (exit 1), and history stays empty', async () => {
    const data = dir();
    const shown = await run(['route', 'm'], data);
    expect(shown.status, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/m: no table \(servers use \{ champion: 100 \}\)/);
    // A table naming versions that do not exist is refused by the registry: exit 1, nothing stored.
    const refused = await run(['route', 'm', 'champion=100', '--reason', 'first'], data);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/refused: routing for m: target "champion" does not resolve/);
    const history = await run(['history', 'm'], data);
    expect(history.status, history.stderr).toBe(0);
    expect(history.stdout).toMatch(/no alias moves or routing changes for m/);
  }, 180_000); // three commands, each starting an embedded Postgres
});

describe('pnpm registry list', () => {
  it('shows each version with its aliases', async () => {
    const data = dir();
    const trained = await runScript(
      'packages/training/src/train-cli.ts',
      ['--size', '400', '--seed', '3'],
      data,
    );
    expect(trained.status, trained.stderr).toBe(0);
    const moved = await run(['alias', 'payments-fraud', 'canary', '1', '--reason', 'try it'], data);
    expect(moved.status, moved.stderr).toBe(0);
    const listed = await run(['list', 'payments-fraud'], data);
    expect(listed.status, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^payments-fraud@1 \(canary, champion\) {2}artifact [0-9a-f]{12} {2}AUC /m);
  }, 180_000); // training, then two commands, each starting an embedded Postgres
});
