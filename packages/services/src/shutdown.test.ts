/**
 * SIGINT / SIGTERM close every open Services before the process exits (130 / 143): checked on a child
 * process holding an embedded redis-server, whose port must stop answering; and a SIGTERM that follows
 * the SIGINT within milliseconds (one Ctrl-C relayed by a parent, as pnpm's bin runner does) must not
 * cut the close short: the child's per-run schema on the DATABASE_URL server must be gone.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { pingRedis } from './embedded-redis.ts';
import { startChild, stopsRunning } from './fixtures/processes.ts';

async function holdThenSignal(signal: NodeJS.Signals): Promise<{ code: number | null; port: number }> {
  // Only the tsx process is signalled (tsx relays it to its node child); redis-server, a grandchild,
  // gets no signal from us, so its port going dark shows that the child's close() stopped it.
  const run = await startChild<{ port: number }>('hold-redis', process.env);
  expect(await pingRedis(run.first.port)).toBe(true);
  run.proc.kill(signal);
  const [code] = (await run.exited) as [number | null];
  return { code, port: run.first.port };
}

describe('signals', () => {
  it('SIGINT closes open Services (embedded redis-server stopped) and exits 130', async () => {
    const { code, port } = await holdThenSignal('SIGINT');
    expect(code).toBe(130);
    expect(await pingRedis(port)).toBe(false);
  });

  it('SIGTERM does the same and exits 143', async () => {
    const { code, port } = await holdThenSignal('SIGTERM');
    expect(code).toBe(143);
    expect(await pingRedis(port)).toBe(false);
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'a SIGTERM 5 ms after the SIGINT is the same interrupt: the close still runs (schema dropped), exit 130',
    async () => {
      const run = await startChild<{ pid: number; schema: string }>('lab-run', {
        ...process.env,
        MLOPS_LAB_NO_DOCKER: '1',
      });
      // The node child itself, not tsx's wrapper: as pnpm's execa signals the command it started.
      process.kill(run.first.pid, 'SIGINT');
      await sleep(5);
      process.kill(run.first.pid, 'SIGTERM');
      const [code] = (await run.exited) as [number | null];
      expect(await stopsRunning(run.first.pid)).toBe(true);
      const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 1 });
      try {
        const left = await pool.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [run.first.schema]);
        expect(left.rowCount).toBe(0);
      } finally {
        await pool.end();
      }
      expect(code).toBe(130);
    },
  );
});
