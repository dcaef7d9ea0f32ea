/**
 * The on-disk embedded Postgres: the data-folder lock (another process, this process, stale locks)
 * and persistence of keep:true data across close + re-acquire. Uses a temp MLOPS_LAB_DATA_DIR.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { isServiceError, type ServiceError } from './errors.ts';
import { embeddedDataDir } from './fixtures/embedded-env.ts';
import { childScript as child, deadPid as exitedPid } from './fixtures/processes.ts';
import { acquireLock, pidAlive, readLock } from './lock.ts';
import { ownerOf } from './owner.ts';
import { repoRoot } from './paths.ts';
import { acquire } from './services.ts';

const run = promisify(execFile);
const tsx = join(repoRoot(), 'node_modules', '.bin', 'tsx');
const quiet = { log: () => {} };

const data = embeddedDataDir('mlops-services-');

/** A pid that surely belongs to no process: one that just exited. */
function deadPid(): number {
  const pid = exitedPid();
  expect(pidAlive(pid)).toBe(false);
  return pid;
}

async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    if (isServiceError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('lock file (unit)', () => {
  it('takes, refuses a live holder, takes over a stale one, and releases only its own', () => {
    const path = join(data.path, 'unit', 'x.lock');
    const release = acquireLock(path);
    expect(readLock(path)?.pid).toBe(process.pid);
    const error = (() => {
      try {
        acquireLock(path);
      } catch (e) {
        return e as ServiceError;
      }
    })();
    expect(error?.code).toBe('EMBEDDED_IN_USE');
    expect(error?.message).toContain('this process');
    release();
    expect(existsSync(path)).toBe(false);

    writeFileSync(path, JSON.stringify({ pid: deadPid(), since: 'then', command: 'gone' }));
    const again = acquireLock(path);
    expect(readLock(path)?.pid).toBe(process.pid);
    // A lock someone else took over is not ours to remove.
    writeFileSync(path, JSON.stringify({ pid: process.ppid, since: 'now', command: 'other' }));
    again();
    expect(readLock(path)?.pid).toBe(process.ppid);
    rmSync(path);
  });
});

describe('embedded on-disk Postgres', () => {
  it('persists keep:true data across close and re-acquire; per-run schemas are dropped', async () => {
    const first = await acquire({ needs: ['postgres'], namespace: 'persist', keep: true, ...quiet });
    expect(first.backends.postgres?.url).toMatch(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    await first.migrate('registry', [{ id: '001', sql: 'CREATE TABLE models (name text PRIMARY KEY)' }]);
    await first.pg.query(`INSERT INTO models VALUES ('churn-v1')`);
    await first.close();
    expect(existsSync(join(data.path, 'pglite.lock'))).toBe(false);

    const perRun = await acquire({ needs: ['postgres'], namespace: 'persist', ...quiet });
    await perRun.pg.query('CREATE TABLE scratch (x int)');
    await perRun.close();

    const second = await acquire({ needs: ['postgres'], namespace: 'persist', keep: true, ...quiet });
    try {
      expect((await second.pg.query('SELECT name FROM models')).rows).toEqual([{ name: 'churn-v1' }]);
      const runs = await second.pg.query(
        `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'run_persist_%'`,
      );
      expect(runs.rows).toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('refuses a second process with EMBEDDED_IN_USE and the hint, and a second acquire in this one', async () => {
    const holder = await acquire({ needs: ['postgres'], namespace: 'holder', keep: true, ...quiet });
    try {
      const lock = readLock(join(data.path, 'pglite.lock'));
      expect(lock?.pid).toBe(process.pid);

      const { stdout } = await run(tsx, [child, 'acquire-postgres'], { env: process.env });
      const result = JSON.parse(stdout.trim().split('\n').pop()!) as {
        code?: string;
        hint?: string;
        message?: string;
      };
      expect(result.code).toBe('EMBEDDED_IN_USE');
      expect(result.message).toContain(`process ${process.pid}`);
      expect(result.hint).toContain('pnpm services:up');
      expect(result.hint).toContain('DATABASE_URL');

      const same = await rejection(acquire({ needs: ['postgres'], namespace: 'again', ...quiet }));
      expect(same.code).toBe('EMBEDDED_IN_USE');
      expect(same.hint).toMatch(/Close the other Services/);
    } finally {
      await holder.close();
    }
  });

  it('takes over a lock whose pid now belongs to another process (same pid, another start time)', async () => {
    mkdirSync(data.path, { recursive: true });
    const lockFile = join(data.path, 'pglite.lock');
    // The parent is alive, but it is not the process that took this lock.
    const reused = { ...ownerOf(process.ppid)!, start: 'another start' };
    writeFileSync(
      lockFile,
      JSON.stringify({ pid: process.ppid, since: '2020-01-01', command: 'x', owner: reused }),
    );
    const services = await acquire({ needs: ['postgres'], namespace: 'reused', ...quiet });
    try {
      expect(readLock(lockFile)?.pid).toBe(process.pid);
    } finally {
      await services.close();
    }
  });

  it('takes over a stale lock left by a dead process', async () => {
    mkdirSync(data.path, { recursive: true });
    const lockFile = join(data.path, 'pglite.lock');
    writeFileSync(lockFile, JSON.stringify({ pid: deadPid(), since: '2020-01-01', command: 'crashed run' }));
    const services = await acquire({ needs: ['postgres'], namespace: 'stale', ...quiet });
    try {
      expect(readLock(lockFile)?.pid).toBe(process.pid);
      expect((await services.pg.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await services.close();
    }
    expect(existsSync(lockFile)).toBe(false);
  });
});
