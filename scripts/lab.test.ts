import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, type LabDefinition, pickMystery } from '@mlops-lab/labkit';
import { describe, expect, it } from 'vitest';
import { main } from './lib/lab-cli.ts';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const tsx = createRequire(import.meta.url).resolve('tsx/cli');

function capture() {
  let text = '';
  return {
    write(chunk: string) {
      text += chunk;
      return true;
    },
    text: () => text,
  };
}

/** A lab that needs no services and says its own fault name out loud, to prove mystery hides it. */
const fake: LabDefinition = {
  name: 'fake',
  title: 'Fake lab',
  questions: [7],
  needs: [],
  breaks: ['stale-cache', 'clock-skew', 'leaky-join'].map((name) => ({
    name,
    symptom: `symptom of ${name}`,
    hint: `hint for ${name}`,
    explanation: `explanation of ${name}`,
    flips: [`no ${name}`],
  })),
  async run({ fault, out }) {
    out.step(`running with ${fault ?? 'no fault'}`);
    return {
      checks: ['stale-cache', 'clock-skew', 'leaky-join'].map((n) =>
        check(`no ${n}`, fault !== n, `fault=${fault}`),
      ),
      metrics: { fault: fault ?? 'none' },
    };
  },
};

async function run(...argv: string[]) {
  const stdout = capture();
  const stderr = capture();
  const code = await main(argv, [fake], { stdout, stderr, env: {} });
  return { code, stdout: stdout.text(), stderr: stderr.text() };
}

describe('lab CLI (in-process, fake catalogue)', () => {
  it('lists the catalogue as one JSON array', async () => {
    const { code, stdout } = await run('--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual([
      {
        name: 'fake',
        title: 'Fake lab',
        questions: [7],
        needs: [],
        breaks: ['stale-cache', 'clock-skew', 'leaky-join'],
      },
    ]);
  });

  it('exits 0 on a healthy run and 1 under a break, with one JSON line on stdout', async () => {
    expect((await run('fake', '--quick')).code).toBe(0);
    const broken = await run('fake', '--break', 'clock-skew', '--json');
    expect(broken.code).toBe(1);
    expect(broken.stdout.trim().split('\n')).toHaveLength(1);
    expect(JSON.parse(broken.stdout)).toMatchObject({ lab: 'fake', break: 'clock-skew', passed: false });
    // The last line says the exit 1 was the break doing its job, not a crash.
    expect(broken.stderr.trimEnd().split('\n').at(-1)).toBe(
      'exit 1: the break flipped 1 check, as expected; why: pnpm lab fake --explain clock-skew',
    );
  });

  it('exits 2 with the valid choices on usage errors', async () => {
    const unknownLab = await run('nope');
    expect(unknownLab.code).toBe(2);
    expect(unknownLab.stderr).toContain('unknown lab "nope"; labs: fake');
    const unknownFault = await run('fake', '--break', 'nope');
    expect(unknownFault.code).toBe(2);
    expect(unknownFault.stderr).toContain('valid faults: stale-cache, clock-skew, leaky-join');
    expect((await run('fake', '--seed', '1.5')).code).toBe(2);
    expect((await run('fake', '--bogus')).stderr).toContain('unknown option --bogus');
    expect((await run('fake', '--guess', 'clock-skew')).code).toBe(2);
    const noReport = await run('fake', '--report', 'out.html');
    expect(noReport.code).toBe(2);
    expect(noReport.stderr).toContain('lab fake writes no report');
    expect(unknownFault.stderr.trimEnd().split('\n').at(-1)).toBe(
      'exit 2: the command was not valid, nothing ran',
    );
  });

  it('lists breaks without explanations, and explains one on request', async () => {
    const listed = await run('fake', '--list-breaks');
    expect(listed.stdout).toContain('hint for leaky-join');
    expect(listed.stdout).not.toContain('explanation of');
    const explained = await run('fake', '--explain', 'leaky-join');
    expect(explained.stdout).toContain('explanation of leaky-join');
  });

  it('never leaks the mystery fault, in text or JSON, for any seed', async () => {
    for (const seed of ['1', '2', '3', '4', '5']) {
      const secret = pickMystery(fake.breaks, Number(seed)).name;
      for (const json of [[], ['--json']]) {
        const { stdout, stderr } = await run('fake', '--mystery', '--seed', seed, ...json);
        expect(stdout + stderr).not.toContain(secret);
        expect(stdout + stderr).toContain('--guess <fault>');
      }
      const { stdout } = await run('fake', '--mystery', '--seed', seed, '--json');
      expect(JSON.parse(stdout).break).toBe('mystery');
    }
  });

  it('judges a guess: right exits 0 and explains, wrong exits 1 and reveals nothing', async () => {
    const secret = pickMystery(fake.breaks, 4).name;
    const wrong = fake.breaks.find((b) => b.name !== secret)!.name;
    const right = await run('fake', '--mystery', '--seed', '4', '--guess', secret);
    expect(right.code).toBe(0);
    expect(right.stdout).toContain(`explanation of ${secret}`);
    expect(right.stdout).toMatch(/FAILED {2}1 of 3 checks in .*: the armed fault's symptom, as designed\n/);
    expect(right.stdout.trimEnd().split('\n').at(-1)).toBe(
      'exit 0: right guess; the 1 failed check above is what the fault does',
    );
    const miss = await run('fake', '--mystery', '--seed', '4', '--guess', wrong, '--json');
    expect(miss.code).toBe(1);
    expect(miss.stdout + miss.stderr).not.toContain(secret);
    expect(JSON.parse(miss.stdout).guess).toEqual({ fault: wrong, correct: false });
  });

  it('--investigate takes a comma list or repeats, validated against the lab before it runs', async () => {
    let plan: unknown;
    const investigating: LabDefinition = {
      ...fake,
      investigations: ['logs', 'history', 'labels'].map((name) => ({ name, summary: `read the ${name}` })),
      async run(ctx) {
        plan = ctx.investigate;
        return fake.run(ctx);
      },
    };
    const go = async (...argv: string[]) => {
      const stdout = capture();
      const stderr = capture();
      const code = await main(argv, [investigating], { stdout, stderr, env: {} });
      return { code, stdout: stdout.text(), stderr: stderr.text() };
    };
    expect((await go('fake', '--investigate', 'labels,logs', '--investigate', 'history')).code).toBe(0);
    expect(plan).toEqual({ steps: ['labels', 'logs', 'history'] });
    const bad = await go('fake', '--investigate', 'logz');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown step "logz" for lab fake; steps: logs, history, labels');
    expect((await go('--investigate', 'logs')).code).toBe(2);
    expect((await go('fake', '--list-breaks')).stdout).toContain('read the history');
    // No terminal on stdin: a mystery run without --investigate runs every step (no prompt).
    plan = 'not run';
    expect((await go('fake', '--mystery')).code).toBe(1);
    expect(plan).toBeNull();
    expect((await run('fake', '--investigate', 'logs')).stderr).toContain('has no diagnostic steps');
  });

  it('exits 1 on a crash and prints the hint, with the stack only under DEBUG=1', async () => {
    const crashing: LabDefinition = {
      ...fake,
      run: () => Promise.reject(Object.assign(new Error('disk full'), { hint: 'free some space' })),
    };
    const stderr = capture();
    const code = await main(['fake'], [crashing], { stdout: capture(), stderr, env: {} });
    expect(code).toBe(1);
    expect(stderr.text()).toContain('error: lab "fake": run failed: disk full\nhint: free some space\n');
    expect(stderr.text()).not.toContain('    at ');
    expect(stderr.text()).toMatch(/exit 1: the run stopped on an error before its checks .*\n$/);
    const debug = capture();
    await main(['fake'], [crashing], { stdout: capture(), stderr: debug, env: { DEBUG: '1' } });
    expect(debug.text()).toContain('    at ');
  });
});

describe('lab CLI (spawned, real catalogue)', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [tsx, 'scripts/lab.ts', ...args], {
      cwd: root,
      encoding: 'utf8',
      timeout: 20_000,
    });

  it('prints the catalogue as a JSON array of {name,title,questions,needs,breaks}', () => {
    const result = cli('--json');
    expect(result.status, result.stderr).toBe(0);
    const labs = JSON.parse(result.stdout);
    expect(labs.map((l: { name: string }) => l.name)).toContain('drift');
    for (const lab of labs) {
      expect(Object.keys(lab)).toEqual(['name', 'title', 'questions', 'needs', 'breaks']);
      expect(lab.breaks.every((b: unknown) => typeof b === 'string')).toBe(true);
    }
  });

  it('exits 2 on an unknown lab and lists the labs', () => {
    const result = cli('nope');
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown lab "nope"; labs: .*drift/);
  });
});
