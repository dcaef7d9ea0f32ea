import { resolve } from 'node:path';
import type { AcquireOptions, Services } from '@mlops-lab/services';
import { describe, expect, it, vi } from 'vitest';
import { LabRunError, LabUsageError } from './errors.ts';
import { capture, fakeLab } from './fakes.ts';
import { check } from './format.ts';
import { pickMystery } from './mystery.ts';
import { runLab } from './run.ts';

const env = {} as NodeJS.ProcessEnv;

/** Services whose close() is observable; `pg`/`redis` are never touched by the fakes. */
function fakeServices(closeError?: Error) {
  const close = vi.fn(async () => {
    if (closeError) throw closeError;
  });
  const services = {
    backends: { redis: { kind: 'embedded', url: 'redis://127.0.0.1:6399' } },
    schema: 'run_fake_1',
    keyPrefix: 'run:fake:1:',
    key: (n: string) => `run:fake:1:${n}`,
    migrate: async () => {},
    close,
  } as unknown as Services;
  return { services, close };
}

describe('runLab', () => {
  it('runs a lab that needs nothing without calling acquire, and prints the checks', async () => {
    const stdout = capture();
    const acquire = vi.fn();
    const report = await runLab(fakeLab(), { fault: 'slow-cache', stdout, env, acquire });
    expect(acquire).not.toHaveBeenCalled();
    expect(report.passed).toBe(false);
    expect(report.break).toBe('slow-cache');
    const text = stdout.text();
    expect(text).toContain('fake — A fake lab');
    expect(text).toMatch(/questions\s+Q1, Q2/);
    expect(text).toMatch(/seed 1 · full · break: slow-cache/);
    expect(text).toMatch(/services\s+none/);
    expect(text).toContain('✘ latency under budget — fault=slow-cache');
    expect(text).toContain('✔ offline AUC is honest — auc 0.71');
    expect(text).toMatch(/p99_ms\s+12\.5/);
    expect(text).toContain('FAILED  1 of 2 checks');
    expect(stdout.lines().at(-1)).toBe(
      'exit 1: the break flipped 1 check, as expected; why: pnpm lab fake --explain slow-cache',
    );
  });

  it('passes when every check passes', async () => {
    const stdout = capture();
    const report = await runLab(fakeLab(), { stdout, env, quick: true, seed: 9 });
    expect(report).toMatchObject({ lab: 'fake', break: null, passed: true });
    expect(stdout.text()).toMatch(/seed 9 · quick · healthy/);
    expect(stdout.text()).toContain('PASSED  2/2 checks');
    expect(stdout.lines().at(-1)).toBe('exit 0: healthy run, every check passed');
  });

  it('says when a healthy run fails, or a break flips other checks than it names', async () => {
    const failing = fakeLab({
      run: async ({ fault }) => ({
        checks: [check('latency under budget', false), check('offline AUC is honest', fault === null)],
        metrics: {},
      }),
    });
    const healthy = capture();
    expect(await runLab(failing, { stdout: healthy, env })).toMatchObject({ passed: false });
    expect(healthy.lines().at(-1)).toBe(
      'exit 1: 1 check failed on a healthy run (no fault armed): see the ✘ lines above',
    );
    const broken = capture();
    await runLab(failing, { fault: 'bad-join', stdout: broken, env });
    expect(broken.lines().at(-1)).toBe(
      'exit 1: not what --break bad-join is designed to do (flip: offline AUC is honest); also failed: latency under budget',
    );
    const inert = capture();
    await runLab(
      fakeLab({ run: async () => ({ checks: [check('latency under budget', true)], metrics: {} }) }),
      {
        fault: 'slow-cache',
        stdout: inert,
        env,
      },
    );
    expect(inert.lines().at(-1)).toBe(
      'exit 0: not what --break slow-cache is designed to do (flip: latency under budget); still passed: latency under budget',
    );
  });

  it('in json mode writes exactly one JSON line to stdout and narrates on stderr', async () => {
    const stdout = capture();
    const stderr = capture();
    await runLab(fakeLab(), { json: true, stdout, stderr, env });
    const lines = stdout.lines();
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]);
    expect(Object.keys(parsed)).toEqual(['lab', 'break', 'passed', 'checks', 'metrics']);
    expect(parsed).toMatchObject({ lab: 'fake', break: null, passed: true, metrics: { p99_ms: 12.5 } });
    expect(parsed.checks[0]).toEqual({ name: 'latency under budget', passed: true, detail: 'fault=null' });
    expect(stderr.text()).toContain('Checks');
  });

  it('rejects an unknown fault with the valid names, before running anything', async () => {
    const run = vi.fn();
    const error = await runLab(fakeLab({ run }), { fault: 'nope', silent: true }).catch((e) => e);
    expect(error).toBeInstanceOf(LabUsageError);
    expect(error.message).toContain('valid faults: slow-cache, bad-join');
    expect(error.choices).toEqual(['slow-cache', 'bad-join']);
    expect(run).not.toHaveBeenCalled();
  });

  it('passes --investigate steps to the lab, and refuses unknown steps or a lab without any first', async () => {
    const investigations = [
      { name: 'logs', summary: 'read the logs' },
      { name: 'history', summary: 'read the alias history' },
    ];
    let seen: unknown = 'not run';
    const lab = fakeLab({
      investigations,
      run: async ({ investigate }) => {
        seen = investigate;
        return { checks: [check('ok', true, '')], metrics: {} };
      },
    });
    await runLab(lab, { silent: true, investigate: { steps: ['history', 'logs'] } });
    expect(seen).toEqual({ steps: ['history', 'logs'] });
    await runLab(lab, { silent: true });
    expect(seen).toBeNull();

    const run = vi.fn();
    const unknown = await runLab(fakeLab({ investigations, run }), {
      silent: true,
      investigate: { steps: ['logs', 'nope'] },
    }).catch((e) => e);
    expect(unknown).toBeInstanceOf(LabUsageError);
    expect(unknown.message).toBe('unknown step "nope" for lab fake; steps: logs, history');
    await expect(
      runLab(fakeLab({ run }), { silent: true, investigate: { steps: ['logs'] } }),
    ).rejects.toThrow('lab fake has no diagnostic steps to --investigate');
    await expect(
      runLab(fakeLab({ investigations, run }), { silent: true, investigate: { steps: [] } }),
    ).rejects.toThrow('--investigate needs at least one step');
    expect(run).not.toHaveBeenCalled();
  });

  it('passes --report as an absolute path to a lab that writes one; refuses it before any work otherwise', async () => {
    let seen: unknown = 'not run';
    const lab = fakeLab({
      report: 'a test report',
      run: async ({ report }) => {
        seen = report;
        return { checks: [check('ok', true, '')], metrics: {} };
      },
    });
    await runLab(lab, { silent: true, report: 'out.html' });
    expect(seen).toBe(resolve('out.html'));
    await runLab(lab, { silent: true });
    expect(seen).toBeNull();

    const run = vi.fn();
    await expect(runLab(fakeLab({ run }), { silent: true, report: 'out.html' })).rejects.toThrow(
      'lab fake writes no report; --report is for labs that do',
    );
    await expect(
      runLab(fakeLab({ report: 'r', run }), { silent: true, report: '/no/such/folder/out.html' }),
    ).rejects.toThrow('--report /no/such/folder/out.html: folder /no/such/folder does not exist');
    expect(run).not.toHaveBeenCalled();
  });

  it('rejects a bad seed and a guess without mystery', async () => {
    await expect(runLab(fakeLab(), { seed: -1, silent: true })).rejects.toBeInstanceOf(LabUsageError);
    await expect(runLab(fakeLab(), { guess: 'bad-join', silent: true })).rejects.toThrow(/--mystery/);
  });

  it('acquires what the lab needs and closes services even when run throws', async () => {
    const { services, close } = fakeServices();
    const acquire = vi.fn(async (_: AcquireOptions) => services);
    const lab = fakeLab({
      needs: ['redis'],
      run: async () => {
        throw new Error('exploded');
      },
    });
    const stdout = capture();
    const error = await runLab(lab, { acquire, ephemeral: true, stdout, env }).catch((e) => e);
    expect(error).toBeInstanceOf(LabRunError);
    expect(error.message).toBe('lab "fake": run failed: exploded');
    expect(close).toHaveBeenCalledTimes(1);
    expect(acquire.mock.calls[0][0]).toMatchObject({ needs: ['redis'], namespace: 'fake', ephemeral: true });
    expect(stdout.text()).toMatch(/services {3}redis: embedded, redis:\/\/127\.0\.0\.1:6399\n/);
  });

  it("shows services' own log lines as the header's services rows", async () => {
    const { services } = fakeServices();
    const acquire = async (options: AcquireOptions) => {
      options.log?.('postgres: embedded PGlite, schema run_fake_1');
      options.log?.('redis: embedded redis-server, keys run:fake:1:*');
      return services;
    };
    const stdout = capture();
    await runLab(fakeLab({ needs: ['postgres', 'redis'] }), { acquire, stdout, env });
    expect(stdout.text()).toContain(
      '  services   postgres: embedded PGlite, schema run_fake_1\n             redis: embedded redis-server, keys run:fake:1:*\n',
    );
    expect(stdout.text()).not.toContain('redis: embedded, redis://');
  });

  it('reports a failing close after a good run, and keeps the first error after a bad one', async () => {
    const closing = fakeServices(new Error('drop schema failed'));
    const lab = fakeLab({ needs: ['postgres'] });
    await expect(runLab(lab, { acquire: async () => closing.services, silent: true })).rejects.toThrow(
      'lab "fake": closing services failed: drop schema failed',
    );
    const both = fakeServices(new Error('close failed'));
    const crashing = fakeLab({ needs: ['postgres'], run: () => Promise.reject(new Error('first')) });
    const error = await runLab(crashing, { acquire: async () => both.services, silent: true }).catch(
      (e) => e,
    );
    expect(error.message).toContain('first');
    expect(String(error.cleanupError)).toContain('close failed');
  });

  it('carries the hint of a services error and names the lab', async () => {
    const failing = Object.assign(new Error('no redis-server on PATH'), { hint: 'install redis-server' });
    const lab = fakeLab({ needs: ['redis'] });
    const error = await runLab(lab, { acquire: () => Promise.reject(failing), silent: true }).catch((e) => e);
    expect(error).toBeInstanceOf(LabRunError);
    expect(error.message).toBe('lab "fake": could not acquire services: no redis-server on PATH');
    expect(error.hint).toBe('install redis-server');
  });

  it('refuses duplicate check names (breaks name the checks they flip)', async () => {
    const lab = fakeLab({
      run: async () => ({ checks: [check('a', true), check('a', false)], metrics: {} }),
    });
    await expect(runLab(lab, { silent: true })).rejects.toThrow(/two checks named "a"/);
  });

  it('tells a lab that uses an undeclared service what to fix', async () => {
    const lab = fakeLab({
      run: async ({ services }) => ({ checks: [check('x', services.pg !== undefined)], metrics: {} }),
    });
    await expect(runLab(lab, { silent: true })).rejects.toThrow(/uses services\.pg but declares needs: \[\]/);
  });
});

describe('runLab mystery mode', () => {
  const lab = fakeLab();
  const secret = pickMystery(lab.breaks, 3).name;
  const other = lab.breaks.find((b) => b.name !== secret)!.name;

  it('never prints the fault name, even when the lab narrates it', async () => {
    const stdout = capture();
    const stderr = capture();
    const report = await runLab(lab, { mystery: true, seed: 3, json: true, stdout, stderr, env });
    expect(report.break).toBe('mystery');
    expect(report.passed).toBe(false);
    expect(stdout.text() + stderr.text()).not.toContain(secret);
    expect(stderr.text()).toContain('fault in effect: mystery');
    expect(stderr.text()).toContain('--guess <fault>');
    expect(stderr.text()).toContain('FAILED  1 of 2 checks');
    expect(stderr.text()).toContain(": the armed fault's symptom, as designed\n");
    expect(stderr.text().trimEnd().split('\n').at(-1)).toBe(
      'exit 1: the armed fault flipped 1 check, as designed (its symptom, not a crash)',
    );
    expect(JSON.parse(stdout.text()).break).toBe('mystery');
  });

  it('confirms a right guess with the explanation', async () => {
    const stdout = capture();
    const report = await runLab(lab, { mystery: true, seed: 3, guess: secret, stdout, env });
    expect(report.guess).toEqual({ fault: secret, correct: true });
    expect(stdout.text()).toContain(`correct: the mystery fault was ${secret}`);
    expect(stdout.text()).toContain(lab.breaks.find((b) => b.name === secret)!.explanation);
    // The failed check above the verdict is explained, and the run ends saying why it exits 0.
    expect(stdout.text()).toMatch(/FAILED {2}1 of 2 checks in .*: the armed fault's symptom, as designed\n/);
    expect(stdout.lines().at(-1)).toBe(
      'exit 0: right guess; the 1 failed check above is what the fault does',
    );
  });

  it('hides the fault name in the message and hint of a crash', async () => {
    const crashing = fakeLab({
      run: async ({ fault }) => {
        throw Object.assign(new Error(`${fault} blew up`), { hint: `switch ${fault} off` });
      },
    });
    const error = await runLab(crashing, { mystery: true, seed: 3, silent: true }).catch((e) => e);
    expect(error.message).toBe('lab "fake": run failed: mystery blew up');
    expect(error.hint).toBe('switch mystery off');
    expect(error.stack).not.toContain(pickMystery(crashing.breaks, 3).name);
  });

  it('rejects a wrong guess without revealing the fault', async () => {
    const stdout = capture();
    const report = await runLab(lab, { mystery: true, seed: 3, guess: other, stdout, env });
    expect(report.guess).toEqual({ fault: other, correct: false });
    expect(stdout.text()).toContain(`not ${other}`);
    expect(stdout.text()).not.toContain(secret);
    expect(stdout.lines().at(-1)).toBe(
      'exit 1: wrong guess; the fault stays hidden: read the failing checks again and guess another',
    );
  });
});
