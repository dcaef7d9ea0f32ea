import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { benchMain, findBenches } from './lib/bench-cli.ts';

const root = mkdtempSync(join(tmpdir(), 'bench-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function file(path: string, text: string) {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
}

// A fake benchmark that records its arguments and exits 3, so forwarding and exit codes are observable.
file(
  'packages/alpha/bench/speed.ts',
  `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(join(root, 'args.json'))}, JSON.stringify(process.argv.slice(2)));\nprocess.exit(3);\n`,
);
file('packages/alpha/bench/speed.test.ts', '');
file('packages/beta/bench/size.ts', '');
file('packages/gamma/bench/size.ts', '');

function capture() {
  let text = '';
  return { write: (c: string) => (text += c), text: () => text };
}

describe('bench CLI', () => {
  it('finds packages/*/bench/<name>.ts, qualifying names two packages share', () => {
    expect(findBenches(root).map((b) => b.name)).toEqual(['speed', 'beta/size', 'gamma/size']);
  });

  it('lists the benchmarks with no argument', async () => {
    const stdout = capture();
    expect(await benchMain([], { root, stdout, stderr: capture() })).toBe(0);
    expect(stdout.text()).toContain('speed       packages/alpha/bench/speed.ts');
  });

  it('exits 2 on an unknown name and lists the valid ones', async () => {
    const stderr = capture();
    expect(await benchMain(['nope'], { root, stdout: capture(), stderr })).toBe(2);
    expect(stderr.text()).toContain('unknown benchmark "nope"');
    expect(stderr.text()).toContain('beta/size');
  });

  it('runs a benchmark with tsx, forwards its arguments and exits with its code', async () => {
    const code = await benchMain(['--', 'speed', '--quick', '--n', '5'], {
      root,
      stdout: capture(),
      stderr: capture(),
    });
    expect(code).toBe(3);
    expect(JSON.parse(readFileSync(join(root, 'args.json'), 'utf8'))).toEqual(['--quick', '--n', '5']);
  });
});
