/**
 * The registry's routing table as the router sees it (real Postgres registry, real Redis): aliases
 * resolved to versions, weights of one version added up, an alias move followed, an invalid table
 * refused with the old one in force, a table that does not resolve refused at start; and the static
 * table's validation.
 */
import { setAlias, setRouting, stickyDraw } from '@mlops-lab/registry';
import { testServices, until } from '@mlops-lab/services/vitest';
import { describe, expect, it } from 'vitest';
import { registerTwoVersions } from './registry-fixture.ts';
import { registryRoutes, staticRoutes } from './routes.ts';

const services = testServices({
  needs: ['postgres', 'redis'],
  namespace: 'router-routes',
  prepare: async (s) => {
    await registerTwoVersions(s);
    await setAlias(s.pg, 'm', 'champion', 1, 'test');
  },
});

describe('routes', () => {
  it('follows the registry table and alias moves', async () => {
    await setRouting(services, 'm', { champion: 90, '2': 10 });
    const routes = await registryRoutes(services, 'm', { pollMs: 20, resolveEveryMs: 50 });
    try {
      expect(routes.current()).toEqual({ '1': 90, '2': 10 });
      // Assigned by target, in sorted order ("2" before "champion"), as the model server assigns.
      for (const key of ['user-1', 'user-2', 'user-42', 'u7']) {
        expect(routes.pick(key)).toBe(stickyDraw(key) < 0.1 ? '2' : '1');
      }
      await setAlias(services.pg, 'm', 'champion', 2, 'test: promote');
      await until(() => routes.current()['2'] === 100, 'both targets to name version 2', 10_000);
      await expect(setRouting(services, 'm', { champion: 50, '7': 50 })).rejects.toThrow(/does not resolve/);
      expect(routes.current()).toEqual({ '2': 100 });
    } finally {
      routes.stop();
    }
  });

  it('refuses to start on a table that does not resolve', async () => {
    await expect(registryRoutes(services, 'unregistered', { pollMs: 20 })).rejects.toThrow(
      /^no routing for unregistered: the table does not resolve in the registry/,
    );
  });

  it('a static table refuses weights that do not sum to 100 and keeps the old one', () => {
    const routes = staticRoutes({ a: 100 });
    expect(() => routes.set({ a: 60, b: 50 })).toThrow(/weights sum to 110, not 100/);
    expect(routes.current()).toEqual({ a: 100 });
  });
});
