import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchDefinition } from '@mlops-lab/benchkit';
import { afterAll, describe, expect, it } from 'vitest';
import { benches } from './benches.ts';
import { benchMain } from './lib/bench-cli.ts';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
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
const fake: BenchDefinition[] = [
  { name: 'speed', file: 'packages/alpha/bench/speed.ts', title: 'how fast alpha is', needs: [] },
  {
    name: 'size',
    file: 'packages/beta/bench/size.ts',
    title: 'how big beta is',
    needs: ['postgres', 'redis'],
    options: '--n N',
  },
];

function capture() {
  let text = '';
  return { write: (c: string) => (text += c), text: () => text };
}

describe('bench CLI', () => {
  it('lists the catalogue with no argument: name, services, options, what it measures', async () => {
    const stdout = capture();
    expect(await benchMain([], fake, { root, stdout, stderr: capture() })).toBe(0);
    expect(stdout.text()).toMatch(/speed +- +how fast alpha is/);
    expect(stdout.text()).toMatch(/size +postgres, redis +--n N +how big beta is/);
  });

  it('exits 2 on an unknown name and lists the valid ones', async () => {
    const stderr = capture();
    expect(await benchMain(['nope'], fake, { root, stdout: capture(), stderr })).toBe(2);
    expect(stderr.text()).toContain('unknown benchmark "nope"');
    expect(stderr.text()).toContain('how big beta is');
  });

  it('runs a benchmark with tsx, forwards its arguments and exits with its code', async () => {
    const code = await benchMain(['--', 'speed', '--quick', '--n', '5'], fake, {
      root,
      stdout: capture(),
      stderr: capture(),
    });
    expect(code).toBe(3);
    expect(JSON.parse(readFileSync(join(root, 'args.json'), 'utf8'))).toEqual(['--quick', '--n', '5']);
  });
});

describe('the bench catalogue (scripts/benches.ts)', () => {
  it('has unique names, and every entry names a file that exists', () => {
    const names = benches.map((b) => b.name);
    expect(new Set(names).size).toBe(names.length);
    expect(benches.filter((b) => !existsSync(join(repo, b.file))).map((b) => b.file)).toEqual([]);
  });

  it('lists every packages/<pkg>/bench/<name>.ts of the repository', () => {
    const onDisk: string[] = [];
    for (const pkg of readdirSync(join(repo, 'packages')).sort()) {
      const dir = join(repo, 'packages', pkg, 'bench');
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).sort())
        if (f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
          onDisk.push(`packages/${pkg}/bench/${f}`);
    }
    expect(benches.map((b) => b.file).sort()).toEqual(onDisk.sort());
  });
});
