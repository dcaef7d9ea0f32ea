/**
 * The root commands as a user types them (`pnpm lab ...` in the repository root, through pnpm itself):
 * each bin of this package exists, is executable and runs an entry that exists; and an expected
 * non-zero exit reaches the shell with its own code and no pnpm "ELIFECYCLE Command failed" line
 * after it (the reason these commands are bins, bin/run-ts.mjs).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const repo = dirname(here);
const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')) as { bin: Record<string, string> };

/** `pnpm <args>` in the repository root, as a user runs it. */
function pnpm(args: string[]) {
  const r = spawnSync('pnpm', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('root command bins', () => {
  it.each(Object.entries(pkg.bin))('%s: executable, and its entry exists', (_name, file) => {
    const bin = join(here, file);
    accessSync(bin, constants.X_OK);
    const entry = /runTs\('([^']+)'\)/.exec(readFileSync(bin, 'utf8'))?.[1];
    expect(entry, `${file} names no entry`).toBeDefined();
    expect(existsSync(join(repo, entry as string))).toBe(true);
  });

  it("pnpm lab <unknown>: exit 2 with the runner's own last line and no ELIFECYCLE", () => {
    const r = pnpm(['lab', 'no-such-lab']);
    expect(r.status).toBe(2);
    expect(r.out).toContain('exit 2: the command was not valid, nothing ran');
    expect(r.out).not.toContain('ELIFECYCLE');
  });

  it('pnpm registry with a bad command: exit 2, one usage line, no ELIFECYCLE', () => {
    const r = pnpm(['registry', 'no-such-command']);
    expect(r.status).toBe(2);
    expect(r.out).toMatch(/usage: pnpm registry/);
    expect(r.out).not.toContain('ELIFECYCLE');
  });
});
