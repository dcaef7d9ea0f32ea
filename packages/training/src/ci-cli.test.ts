/**
 * `pnpm ci:model` refuses bad input before any service starts (exit 2, one stderr line with the
 * usage): missing flags, an unreadable or invalid candidate spec, a malformed snapshot id.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scriptSandbox } from '@mlops-lab/services/testing';
import { afterAll, describe, expect, it } from 'vitest';

const CI = 'packages/training/src/ci-cli.ts';
const sandbox = scriptSandbox('ci-cli-');
afterAll(() => sandbox.cleanup());
const refusal = (...args: string[]) => sandbox.usageError(CI, args);
const ID = 'a'.repeat(64);

describe('pnpm ci:model checks its input before any work', () => {
  it('names the missing flag', async () => {
    expect(await refusal('--snapshot', ID)).toMatch(
      /^--candidate <spec.json> is required; usage: pnpm ci:model/,
    );
    const spec = join(sandbox.dir(), 'ok.json');
    writeFileSync(spec, '{"seed": 3}');
    expect(await refusal('--candidate', spec)).toMatch(/^--snapshot <id> is required/);
  });

  it('refuses an unreadable, non-JSON or unknown-field spec, and a malformed snapshot id', async () => {
    const dir = sandbox.dir();
    expect(await refusal('--candidate', join(dir, 'none.json'), '--snapshot', ID)).toMatch(
      /^cannot read --candidate .*ENOENT/,
    );
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"seed": 3, "shufleSeed": 1}');
    expect(await refusal('--candidate', bad, '--snapshot', ID)).toMatch(
      /^candidate spec has unknown field shufleSeed/,
    );
    writeFileSync(bad, '{"epochs": 0}');
    expect(await refusal('--candidate', bad, '--snapshot', ID)).toMatch(
      /^candidate epochs must be an integer from 1 to 1000/,
    );
    writeFileSync(bad, '{');
    expect(await refusal('--candidate', bad, '--snapshot', ID)).toMatch(/^candidate spec is not JSON/);
    const ok = join(dir, 'ok.json');
    writeFileSync(ok, '{}');
    expect(await refusal('--candidate', ok, '--snapshot', 'abc')).toMatch(
      /^--snapshot must be a snapshot id \(64 lowercase hex digits\)/,
    );
    expect(await refusal('--candidate', ok, '--snapshot', ID, '--tolerance', '2')).toMatch(
      /^--tolerance must be an AUC difference/,
    );
  });
});
