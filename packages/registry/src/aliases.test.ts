/**
 * Aliases against real Postgres (DATABASE_URL when set, else embedded PGlite): references parse, moves
 * are recorded with their reasons and resolve, a refused move changes nothing; a keyed
 * compare-and-set moves an alias once per key, refuses a stale expectation, and two concurrent
 * callers expecting the same version cannot both win (Q15, Q18).
 */
import { testServices } from '@mlops-lab/services/vitest';
import { describe, expect, it } from 'vitest';
import { aliasHistory, compareAndSetAlias, getAlias, parseRef, resolve, setAlias } from './aliases.ts';
import { RegistryError } from './errors.ts';
import { registerModel } from './models.ts';
import { migrateRegistry } from './schema.ts';

const h = (c: string) => c.repeat(64);
const services = testServices({
  needs: ['postgres'],
  namespace: 'registry-aliases-test',
  prepare: async (s) => {
    await migrateRegistry(s);
    for (const c of ['a', 'b', 'c'])
      await registerModel(s.pg, { name: 'cas', hash: h(c), dataRef: c, metrics: { auc: 0.8 } });
  },
});

describe('aliases', () => {
  it('parses references', () => {
    expect(parseRef('m@3')).toEqual({ name: 'm', version: 3 });
    expect(parseRef('payments-fraud@champion')).toEqual({ name: 'payments-fraud', alias: 'champion' });
    expect(() => parseRef('m')).toThrow(/name@/);
    expect(() => parseRef('m@bad alias')).toThrow(RegistryError);
  });

  it('moves aliases with history and resolves them', async () => {
    await registerModel(services.pg, { name: 'a', hash: h('1'), dataRef: 'd' });
    await registerModel(services.pg, { name: 'a', hash: h('2'), dataRef: 'd' });
    expect(await getAlias(services.pg, 'a', 'champion')).toBeNull();
    await setAlias(services.pg, 'a', 'champion', 1, 'first');
    await setAlias(services.pg, 'a', 'champion', 2, 'promote v2');
    await setAlias(services.pg, 'a', 'champion', 1, 'rollback: v2 regressed');
    expect((await resolve(services.pg, 'a@champion')).hash).toBe(h('1'));
    expect((await resolve(services.pg, 'a@2')).hash).toBe(h('2'));
    const history = await aliasHistory(services.pg, 'a', 'champion');
    expect(history.map((c) => [c.fromVersion, c.toVersion, c.reason])).toEqual([
      [null, 1, 'first'],
      [1, 2, 'promote v2'],
      [2, 1, 'rollback: v2 regressed'],
    ]);
    expect(history[0].changedAt).toBeInstanceOf(Date);
    await expect(setAlias(services.pg, 'a', 'champion', 9, 'x')).rejects.toMatchObject({ code: 'not-found' });
    await expect(resolve(services.pg, 'a@challenger')).rejects.toThrow(/not set/);
    expect(await getAlias(services.pg, 'a', 'champion')).toBe(1); // the failed move changed nothing
  });
});

const move = (expected: number | null, version: number, key: string) =>
  compareAndSetAlias(services.pg, { name: 'cas', alias: 'champion', expected, version, reason: key, key });

describe('compareAndSetAlias', () => {
  it('moves once per key, refuses a stale expectation, records the key in the history', async () => {
    expect((await move(null, 1, 'run-1')).outcome).toBe('moved');
    // The same run retried: nothing written, the alias stays where that run put it.
    expect(await move(null, 1, 'run-1')).toMatchObject({ outcome: 'already', current: 1 });
    // A caller that saw no champion is too late now.
    expect(await move(null, 2, 'run-2')).toMatchObject({ outcome: 'conflict', current: 1 });
    expect((await move(1, 2, 'run-2')).outcome).toBe('moved');
    expect(await move(1, 3, 'run-3')).toMatchObject({ outcome: 'conflict', current: 2 });
    expect(await getAlias(services.pg, 'cas', 'champion')).toBe(2);
    const moves = await aliasHistory(services.pg, 'cas', 'champion');
    expect(moves.map((m) => [m.fromVersion, m.toVersion])).toEqual([
      [null, 1],
      [1, 2],
    ]);
  });

  it('two concurrent transactions expecting the same version: exactly one moves the alias', async () => {
    const attempt = async (version: number, key: string) => {
      const client = await services.pg.connect();
      try {
        await client.query('BEGIN');
        const r = await compareAndSetAlias(client, {
          name: 'cas',
          alias: 'champion',
          expected: 2,
          version,
          reason: key,
          key,
        });
        await client.query('COMMIT');
        return r.outcome;
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      } finally {
        client.release();
      }
    };
    const outcomes = await Promise.all([attempt(3, 'race-a'), attempt(1, 'race-b')]);
    expect(outcomes.sort()).toEqual(['conflict', 'moved']);
    expect((await aliasHistory(services.pg, 'cas', 'champion')).length).toBe(3);
  });
});
