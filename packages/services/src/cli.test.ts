/** The services CLI (`pnpm services:*`): status, reset's refusal and wipe, up without an engine, usage. */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './cli.ts';
import { dockerEngineAnswers } from './docker.ts';

const engineAnswers = await dockerEngineAnswers();

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mlops-cli-'));
  process.env.MLOPS_LAB_DATA_DIR = dir;
  process.env.MLOPS_LAB_NO_DOCKER = '1';
  delete process.env.DATABASE_URL;
  delete process.env.REDIS_URL;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('services CLI', () => {
  it('status reports the embedded fallback, the data folder and the lock', async () => {
    const { io, out } = capture();
    const code = await runCli(['status'], io);
    expect(code).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/^postgres\s+embedded\s+PGlite/m);
    expect(text).toMatch(/^redis\s+embedded\s+redis-server \//m);
    expect(text).toContain('MLOPS_LAB_NO_DOCKER=1');
    expect(text).toMatch(/^data .*\(not created yet\)/m);
    expect(text).toMatch(/^lock\s+free/m);
  });

  it('status fails when an env URL does not answer', async () => {
    process.env.REDIS_URL = 'redis://127.0.0.1:1';
    try {
      const { io, out } = capture();
      expect(await runCli(['status'], io)).toBe(1);
      expect(out.join('\n')).toMatch(/^redis\s+env URL\s+redis:\/\/127\.0\.0\.1:1\s+-> does not answer/m);
    } finally {
      delete process.env.REDIS_URL;
    }
  });

  it('reset refuses while a live process holds the lock, and wipes the folder otherwise', async () => {
    mkdirSync(join(dir, 'pglite'), { recursive: true });
    writeFileSync(join(dir, 'pglite', 'PG_VERSION'), '18\n');
    writeFileSync(
      join(dir, 'pglite.lock'),
      JSON.stringify({ pid: process.pid, since: 'now', command: 'lab' }),
    );
    const refused = capture();
    expect(await runCli(['reset'], refused.io)).toBe(1);
    expect(refused.err.join('\n')).toContain(`pid ${process.pid}`);
    expect(existsSync(join(dir, 'pglite', 'PG_VERSION'))).toBe(true);

    rmSync(join(dir, 'pglite.lock'));
    const done = capture();
    expect(await runCli(['reset'], done.io)).toBe(0);
    expect(existsSync(join(dir, 'pglite'))).toBe(false);
    expect(done.out.join('\n')).toMatch(/wiped .*pglite/);
  });

  // With a real engine here `up` would start it: this case is about machines without one.
  it.skipIf(engineAnswers)(
    'up without a Docker engine explains that the embedded path needs nothing',
    async () => {
      const { io, err } = capture();
      expect(await runCli(['up'], io)).toBe(1);
      expect(err.join('\n')).toMatch(/No Docker engine answers/);
      expect(err.join('\n')).toMatch(/embedded Postgres \(PGlite/);
    },
  );

  it('prints usage and exits 2 on an unknown command', async () => {
    const { io, err } = capture();
    expect(await runCli(['nope'], io)).toBe(2);
    expect(err[0]).toMatch(/^usage:/);
  });
});
