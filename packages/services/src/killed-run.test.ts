/**
 * A run killed with SIGKILL (no handler runs) must not leak: the next start removes its per-run
 * schema and its embedded redis-server and prints one line saying what it removed; a redis-server
 * also dies with its parent where the platform allows (Linux: setpriv --pdeathsig). Checked on a
 * child process doing lab-like work (a table being filled, Redis keys being written) killed mid-run,
 * on the embedded path (a temp MLOPS_LAB_DATA_DIR) and on a Postgres server given by DATABASE_URL
 * (a database made for this file, so other runs sweeping the same server cannot interfere).
 * The other half of the rule is checked too: a live owner's schema, another host's, and one whose
 * owner cannot be told on a shared server are left alone.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOnPath } from './embedded-redis.ts';
import { embeddedDataDir } from './fixtures/embedded-env.ts';
import { type ChildRun, deadPid, running, startChild, stopsRunning } from './fixtures/processes.ts';
import { acquire, type ServicesWithExtras } from './services.ts';
import { postgresProblem } from './status.ts';

interface LabRun {
  pid: number;
  schema: string;
  redisPid: number;
}

const canDieWithParent = findOnPath('setpriv') !== undefined;

/** Starts a lab-like child run, lets it work, then SIGKILLs it (no handler of it runs). */
async function killedRun(env: NodeJS.ProcessEnv): Promise<LabRun> {
  const run: ChildRun<LabRun> = await startChild('lab-run', env);
  process.kill(run.first.pid, 'SIGKILL');
  await run.exited; // the tsx wrapper exits once its node child is gone
  expect(running(run.first.pid)).toBe(false);
  return run.first;
}

/** The next start, as a lab would make it; returns the Services and the lines it printed. */
async function nextStart(): Promise<{ services: ServicesWithExtras; lines: string[] }> {
  const lines: string[] = [];
  const services = await acquire({
    needs: ['postgres', 'redis'],
    namespace: 'next',
    log: (line) => lines.push(line),
  });
  return { services, lines };
}

async function schemaExists(client: pg.Pool | pg.Client, schema: string): Promise<boolean> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
  return rowCount === 1;
}

const removalLine = (schemas: number, redis: number, pids: string) =>
  `services: removed ${[
    schemas > 0 ? `${schemas} schema${schemas > 1 ? 's' : ''}` : '',
    redis > 0 ? `${redis} redis-server${redis > 1 ? 's' : ''}` : '',
  ]
    .filter(Boolean)
    .join(' and ')} left by dead runs (${pids})`;

describe('a killed run on the embedded path', () => {
  const data = embeddedDataDir('mlops-killed-');
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    env = { ...process.env };
  });

  it.skipIf(!canDieWithParent)(
    'kill -9 mid-run: its redis-server dies with it, and the next start removes its schema and says so',
    async () => {
      const dead = await killedRun(env);
      expect(await stopsRunning(dead.redisPid)).toBe(true);
      const { services, lines } = await nextStart();
      try {
        expect(lines[0]).toBe(removalLine(1, 0, `pid ${dead.pid}`));
        expect(await schemaExists(services.pg, dead.schema)).toBe(false);
        expect(await schemaExists(services.pg, services.schema)).toBe(true);
      } finally {
        await services.close();
      }
    },
  );

  it('kill -9 mid-run where redis-server cannot die with its parent: the next start kills the orphan and the schema, and says so', async () => {
    // PATH with node and redis-server only: no setpriv, as on macOS, so the redis-server is orphaned.
    const bin = join(data.path, 'bin-without-setpriv');
    mkdirSync(bin, { recursive: true });
    symlinkSync(process.execPath, join(bin, 'node'));
    symlinkSync(findOnPath('redis-server')!, join(bin, 'redis-server'));
    const dead = await killedRun({ ...env, PATH: bin });
    expect(running(dead.redisPid)).toBe(true); // the leak this guards against

    const { services, lines } = await nextStart();
    try {
      expect(lines[0]).toBe(removalLine(1, 1, `pid ${dead.pid}`));
      expect(running(dead.redisPid)).toBe(false);
      expect(await schemaExists(services.pg, dead.schema)).toBe(false);
    } finally {
      await services.close();
    }
    // Nothing is left to report on the start after.
    const after = await nextStart();
    await after.services.close();
    expect(after.lines.filter((l) => l.startsWith('services:'))).toEqual([]);
  });

  it('removes run schemas with no owner record (older runs): the folder lock shows no live run uses them', async () => {
    const setup = await acquire({ needs: ['postgres'], namespace: 'setup', keep: true, log: () => {} });
    await setup.pg.query('CREATE SCHEMA run_legacy_aaaaaaaa; CREATE SCHEMA run_legacy_bbbbbbbb');
    await setup.pg.query('CREATE TABLE run_legacy_aaaaaaaa.t AS SELECT generate_series(1, 1000) AS x');
    await setup.close();

    const { services, lines } = await nextStart();
    try {
      expect(lines[0]).toBe(removalLine(2, 0, '2 with no owner record'));
      expect(await schemaExists(services.pg, 'run_legacy_aaaaaaaa')).toBe(false);
      expect(await schemaExists(services.pg, 'run_legacy_bbbbbbbb')).toBe(false);
    } finally {
      await services.close();
    }
  });
});

const adminUrl = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

const serverAnswers = (await postgresProblem(adminUrl)) === undefined;

describe.skipIf(!serverAnswers)('a killed run on a DATABASE_URL server', () => {
  const database = `mlops_lab_killed_${process.pid}`;
  let admin: pg.Client;
  let db: pg.Client;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await admin.query(`CREATE DATABASE ${database}`);
    const url = new URL(adminUrl);
    url.pathname = `/${database}`;
    dir = mkdtempSync(join(tmpdir(), 'mlops-killed-env-'));
    process.env.DATABASE_URL = url.toString();
    delete process.env.REDIS_URL; // embedded redis-server, so there is one to leak
    process.env.MLOPS_LAB_NO_DOCKER = '1';
    process.env.MLOPS_LAB_DATA_DIR = dir;
    env = { ...process.env };
    db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await admin?.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin?.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('kill -9 mid-run: the next start removes the run schema on the server and says so', async () => {
    const dead = await killedRun(env);
    expect(await schemaExists(db, dead.schema)).toBe(true);
    const { services, lines } = await nextStart();
    try {
      // Whether the redis-server died with it (setpriv) or was killed now, it is gone either way.
      expect([removalLine(1, 0, `pid ${dead.pid}`), removalLine(1, 1, `pid ${dead.pid}`)]).toContain(
        lines[0],
      );
      expect(running(dead.redisPid)).toBe(false);
      expect(await schemaExists(db, dead.schema)).toBe(false);
    } finally {
      await services.close();
    }
  });

  it('a reused pid does not keep a dead owner alive: same pid, another start time, is removed', async () => {
    const live = await startChild<LabRun>('lab-run', env);
    try {
      const record = await ownerRecord(live.first.schema);
      // This process is alive, but it is not the process that started at `start`.
      await recordedSchema('run_reused_aaaaaaaa', { ...record, pid: process.pid });
      const { services, lines } = await nextStart();
      await services.close();
      expect(lines[0]).toBe(removalLine(1, 0, `pid ${process.pid}`));
      expect(await schemaExists(db, 'run_reused_aaaaaaaa')).toBe(false);
    } finally {
      live.proc.kill('SIGTERM');
      await live.exited;
    }
  });

  it("leaves a live owner's schema, another host's, and one with no owner record", async () => {
    const live = await startChild<LabRun>('lab-run', env);
    try {
      const record = await ownerRecord(live.first.schema);
      await recordedSchema('run_remote_aaaaaaaa', {
        ...record,
        host: `not-${record.host}`,
        pid: deadPid(),
      });
      await db.query('CREATE SCHEMA run_unrecorded_aaaaaaaa');
      const { services, lines } = await nextStart();
      await services.close();
      expect(lines.filter((l) => l.startsWith('services:'))).toEqual([]);
      for (const schema of [live.first.schema, 'run_remote_aaaaaaaa', 'run_unrecorded_aaaaaaaa']) {
        expect(await schemaExists(db, schema)).toBe(true);
      }
    } finally {
      live.proc.kill('SIGTERM');
      await live.exited;
      await db.query('DROP SCHEMA IF EXISTS run_remote_aaaaaaaa, run_unrecorded_aaaaaaaa CASCADE');
    }
    expect(await schemaExists(db, live.first.schema)).toBe(false); // its owner dropped it on SIGTERM
  });

  /** The owner record a run left on its schema (a JSON comment), to forge neighbours from. */
  async function ownerRecord(schema: string): Promise<Record<string, unknown>> {
    const { rows } = await db.query(
      `SELECT obj_description(oid, 'pg_namespace') AS comment FROM pg_namespace WHERE nspname = $1`,
      [schema],
    );
    const parsed = JSON.parse(String(rows[0]?.comment)) as { owner: Record<string, unknown> };
    expect(parsed.owner.pid).toEqual(expect.any(Number));
    return parsed.owner;
  }

  async function recordedSchema(schema: string, owner: Record<string, unknown>): Promise<void> {
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query(`COMMENT ON SCHEMA ${schema} IS ${db.escapeLiteral(JSON.stringify({ owner }))}`);
  }
});
