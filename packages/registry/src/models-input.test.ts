/**
 * The registry's own guard on its input (models.ts, aliases.ts): every public entry refuses a bad
 * name, version or alias with a RegistryError before it queries, and `champion` never points at a
 * version whose recorded metrics include a non-finite value. Real Postgres for the latter
 * (DATABASE_URL when set, else embedded PGlite).
 */
import { testServices } from '@mlops-lab/services/vitest';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { aliasHistory, getAlias, parseRef, resolve, setAlias } from './aliases.ts';
import { RegistryError } from './errors.ts';
import { getVersion, listVersions, registerModel } from './models.ts';
import { migrateRegistry } from './schema.ts';

/** A pool that fails the test if anything reaches the database. */
const untouchable = {
  query: () => Promise.reject(new Error('the database was queried')),
  connect: () => Promise.reject(new Error('the database was connected to')),
} as unknown as pg.Pool;

async function refusedWith(work: Promise<unknown> | (() => unknown), code: string): Promise<string> {
  const error = await (typeof work === 'function' ? Promise.resolve().then(work) : work).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryError);
  expect((error as RegistryError).code).toBe(code);
  const message = (error as RegistryError).message;
  expect(message).not.toContain('\n');
  expect(message.length).toBeLessThan(300); // a 100 KB input is not echoed back
  return message;
}

describe('input limits at every entry', () => {
  const huge = 'c'.repeat(100_000);
  it('refuses out-of-int4 versions, over-long or malformed names and aliases without querying', async () => {
    expect(await refusedWith(getVersion(untouchable, 'm', 2 ** 31), 'bad-input')).toMatch(/2147483647/);
    await refusedWith(getVersion(untouchable, 'm', 0), 'bad-input');
    await refusedWith(getVersion(untouchable, 'm', 1.5), 'bad-input');
    await refusedWith(listVersions(untouchable, '../../etc'), 'bad-input');
    await refusedWith(listVersions(untouchable, 'm'.repeat(65)), 'bad-input');
    await refusedWith(aliasHistory(untouchable, 'm', huge), 'bad-input');
    await refusedWith(getAlias(untouchable, 'm', 'no spaces'), 'bad-input');
    expect(await refusedWith(setAlias(untouchable, 'm', huge, 1, 'r'), 'bad-input')).toMatch(
      /100000 characters; at most 64/,
    );
    await refusedWith(setAlias(untouchable, 'm', 'champion', 2 ** 31, 'r'), 'bad-input');
    await refusedWith(setAlias(untouchable, 'm', 'champion', 1, 'r'.repeat(2000)), 'bad-input');
    await refusedWith(
      registerModel(untouchable, { name: 'm'.repeat(65), hash: 'a'.repeat(64), dataRef: 'd' }),
      'bad-input',
    );
    await refusedWith(
      registerModel(untouchable, { name: 'm', version: 2 ** 31, hash: 'a'.repeat(64), dataRef: 'd' }),
      'bad-input',
    );
    await refusedWith(resolve(untouchable, { name: 'm', version: -1 }), 'bad-input');
    await refusedWith(() => parseRef(`m@${2 ** 31}`), 'bad-ref');
    await refusedWith(() => parseRef(`m@${huge}`), 'bad-ref');
    expect(parseRef('m@2147483647')).toEqual({ name: 'm', version: 2147483647 });
  });
});

describe('champion and non-finite metrics', () => {
  const services = testServices({
    needs: ['postgres'],
    namespace: 'registry-input-test',
    prepare: migrateRegistry,
  });

  it('never makes a version with a NaN / undefined AUC champion, and says why', async () => {
    // NaN and undefined both reach jsonb as null: that is what a one-class holdout records.
    const bad = await registerModel(services.pg, {
      name: 'one-class',
      hash: 'e'.repeat(64),
      dataRef: 'd',
      metrics: { auc: Number.NaN, logLoss: 0.1 },
    });
    expect(bad.metrics.auc).toBeNull();
    const message = await refusedWith(
      setAlias(services.pg, 'one-class', 'champion', bad.version, 'first'),
      'bad-metrics',
    );
    expect(message).toMatch(/one-class@1 cannot become champion: its auc is not a finite number/);
    expect(await getAlias(services.pg, 'one-class', 'champion')).toBeNull();
    expect(await aliasHistory(services.pg, 'one-class')).toEqual([]);
  });
});
