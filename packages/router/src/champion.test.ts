/**
 * The followed champion on a real Postgres registry: the alias's version at start, an alias move
 * followed, the last good champion kept while Postgres fails.
 */
import { migrateRegistry, registerModel, setAlias } from '@mlops-lab/registry';
import { acquire, type ServicesWithExtras } from '@mlops-lab/services';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { followChampion } from './champion.ts';

let services: ServicesWithExtras;
beforeAll(async () => {
  services = await acquire({
    needs: ['postgres'],
    namespace: 'router-champion',
    ephemeral: true,
    log: () => {},
  });
  await migrateRegistry(services);
  for (const v of [1, 2]) {
    await registerModel(services.pg, {
      name: 'm',
      version: v,
      hash: String(v).repeat(64),
      dataRef: `test ${v}`,
    });
  }
});
afterAll(() => services?.close());

async function until(done: () => boolean) {
  const deadline = Date.now() + 20_000; // generous: a loaded machine, not a latency bound
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('followChampion', () => {
  it('knows no champion before the alias exists, then follows its moves', async () => {
    const none = await followChampion(services.pg, 'other');
    none.stop();
    expect(none.current()).toBeUndefined();

    await setAlias(services.pg, 'm', 'champion', 1, 'test: first');
    const champion = await followChampion(services.pg, 'm', { everyMs: 20 });
    try {
      expect(champion.current()).toBe('1');
      await setAlias(services.pg, 'm', 'champion', 2, 'test: promote');
      await until(() => champion.current() === '2');
    } finally {
      champion.stop();
    }
  });

  it('keeps the last good champion while Postgres fails', async () => {
    await setAlias(services.pg, 'm', 'champion', 1, 'test: back');
    let down = false;
    const flaky = {
      query: ((...args: Parameters<typeof services.pg.query>) =>
        down
          ? Promise.reject(new Error('connection refused'))
          : services.pg.query(...args)) as typeof services.pg.query,
    };
    const champion = await followChampion(flaky, 'm', { everyMs: 20 });
    try {
      down = true;
      await until(() => champion.errors >= 3);
      expect(champion.current()).toBe('1');
    } finally {
      champion.stop();
    }
  });
});
