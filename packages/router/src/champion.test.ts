/**
 * The followed champion on a real Postgres registry: the alias's version at start, an alias move
 * followed, the last good champion kept while Postgres fails.
 */
import { setAlias } from '@mlops-lab/registry';
import { testServices } from '@mlops-lab/services/vitest';
import { describe, expect, it } from 'vitest';
import { followChampion } from './champion.ts';
import { registerTwoVersions } from './registry-fixture.ts';

const services = testServices({
  needs: ['postgres'],
  namespace: 'router-champion',
  prepare: registerTwoVersions,
});

describe('followChampion', () => {
  it('knows no champion before the alias exists, then follows its moves', async () => {
    // A read period longer than any test: every read here is an explicit refresh.
    const champion = await followChampion(services.pg, 'm', { everyMs: 3_600_000 });
    try {
      expect(champion.current()).toBeUndefined();
      await setAlias(services.pg, 'm', 'champion', 1, 'test: first');
      await champion.refresh();
      expect(champion.current()).toBe('1');
      await setAlias(services.pg, 'm', 'champion', 2, 'test: promote');
      await champion.refresh();
      expect(champion.current()).toBe('2');
      expect(champion.errors).toBe(0);
    } finally {
      champion.stop();
    }
  });

  it('keeps the last good champion while Postgres fails', async () => {
    let away = false;
    const pg = {
      query: (async (...args: Parameters<typeof services.pg.query>) => {
        if (away) throw new Error('connection refused');
        return services.pg.query(...args);
      }) as typeof services.pg.query,
    };
    await setAlias(services.pg, 'm', 'champion', 1, 'test: the champion before the outage');
    const champion = await followChampion(pg, 'm', { everyMs: 3_600_000 });
    try {
      expect(champion.current()).toBe('1');
      away = true;
      await champion.refresh();
      await champion.refresh();
      expect(champion.errors).toBe(2);
      expect(champion.current()).toBe('1');
    } finally {
      champion.stop();
    }
  });
});
