/**
 * Registry against real services: versions, and the routing table reaching a watcher (aliases:
 * aliases.test.ts). With DATABASE_URL / REDIS_URL when set, else embedded PGlite and redis-server
 * (throwaway instance, per-run schema and key prefix).
 */
import { testServices } from '@mlops-lab/services/vitest';
import { describe, expect, it } from 'vitest';
import { setAlias } from './aliases.ts';
import { RegistryError } from './errors.ts';
import { listVersions, registerModel } from './models.ts';
import { getRouting, type RoutingConfig, routingHistory, setRouting } from './routing.ts';
import { watchRouting } from './routing-watch.ts';
import { migrateRegistry } from './schema.ts';

const h = (c: string) => c.repeat(64);
const services = testServices({
  needs: ['postgres', 'redis'],
  namespace: 'registry-test',
  prepare: async (s) => {
    await migrateRegistry(s);
    await migrateRegistry(s); // idempotent
  },
});

describe('versions', () => {
  it('numbers versions per name and refuses to overwrite one with other content', async () => {
    const v1 = await registerModel(services.pg, {
      name: 'm',
      hash: h('a'),
      dataRef: 'd1',
      metrics: { auc: 0.8 },
    });
    const v2 = await registerModel(services.pg, {
      name: 'm',
      hash: h('b'),
      dataRef: 'd2',
      codeVersion: 'abc',
    });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(v1.metrics).toEqual({ auc: 0.8 });
    expect(v2.codeVersion).toBe('abc');
    // Same version, same content: idempotent.
    expect(
      (await registerModel(services.pg, { name: 'm', version: 1, hash: h('a'), dataRef: 'd1' })).version,
    ).toBe(1);
    const error = await registerModel(services.pg, {
      name: 'm',
      version: 1,
      hash: h('c'),
      dataRef: 'x',
    }).catch((e) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.code).toBe('version-conflict');
    expect((await listVersions(services.pg, 'm')).map((v) => v.hash)).toEqual([h('a'), h('b')]);
  });
});

describe('routing', () => {
  it('validates, keeps the old table on a refused change, and reaches watchers without restart', async () => {
    await registerModel(services.pg, { name: 'r', hash: h('3'), dataRef: 'd' });
    await registerModel(services.pg, { name: 'r', hash: h('4'), dataRef: 'd' });
    await setAlias(services.pg, 'r', 'champion', 1, 'init');
    const seen: (RoutingConfig | null)[] = [];
    const watch = watchRouting(services, 'r', (c) => seen.push(c), { intervalMs: 20 });
    await expect.poll(() => seen.length, { timeout: 5000 }).toBe(1);
    expect(seen[0]).toBeNull(); // nothing stored yet: the caller's fallback applies
    await setRouting(services, 'r', { champion: 100 }, { reason: 'first table', by: 'test' });
    await expect.poll(() => seen.at(-1), { timeout: 5000 }).toEqual({ champion: 100 });
    await expect(setRouting(services, 'r', { champion: 90, '2': 5 })).rejects.toThrow(/sum to 95/);
    await expect(setRouting(services, 'r', { champion: 95, '7': 5 })).rejects.toThrow(/"7" does not resolve/);
    await expect(setRouting(services, 'r', { champion: 95, challenger: 5 })).rejects.toMatchObject({
      code: 'bad-routing',
    });
    expect(await getRouting(services, 'r')).toEqual({ champion: 100 });
    await setRouting(services, 'r', { champion: 95, '2': 5 }, { reason: 'canary 5%', by: 'test' });
    await expect.poll(() => seen.at(-1), { timeout: 5000 }).toEqual({ champion: 95, '2': 5 });
    expect(watch.health()).toMatchObject({ revision: 2, stale: false });
    watch.stop();
    expect(seen).not.toContainEqual({ champion: 90, '2': 5 });
    // The refused tables left no trace; the two accepted ones did, with who and why.
    expect(
      (await routingHistory(services.pg, 'r')).map((c) => [c.revision, c.from, c.to, c.reason, c.by]),
    ).toEqual([
      [1, null, { champion: 100 }, 'first table', 'test'],
      [2, { champion: 100 }, { champion: 95, '2': 5 }, 'canary 5%', 'test'],
    ]);
  });
});
