/**
 * The routing core (routing-follow.ts) against a scripted table source: the order tables take
 * effect in when preparing a version is slow, the last good table kept through every kind of
 * failure, alias moves followed, the start decided by the latest table, and assignment by target
 * (a user stays on their target when the alias under it moves). The same core against the real
 * registry, Postgres and Redis: the routed-serving tests of the model server and the router's routes
 * tests.
 */
import { describe, expect, it } from 'vitest';
import type { RoutingConfig } from './routing.ts';
import { stickyDraw } from './routing-assign.ts';
import { type FollowStage, type RouteRow, RoutingFollower, type TableSource } from './routing-follow.ts';

async function until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A table source the test drives: `publish` a table, move `names`, make resolving fail or hang. */
function scripted(names: Record<string, string>) {
  let onChange: ((config: RoutingConfig | null) => void) | undefined;
  let onError: ((error: unknown, store: 'redis' | 'postgres') => void) | undefined;
  const state = { resolveError: undefined as Error | undefined, hang: false, resolves: 0 };
  const source: TableSource = {
    model: 'm',
    watch(change, error) {
      onChange = change;
      onError = error;
      return {
        stop() {},
        health: () => ({ noticeAgeSeconds: 0, tableAgeSeconds: 0, revision: 1, stale: false }),
      };
    },
    async resolve(target) {
      state.resolves++;
      if (state.hang) await new Promise(() => {});
      if (state.resolveError) throw state.resolveError;
      if (!(target in names)) throw new Error(`${target} does not resolve`);
      return names[target];
    },
    fallback: { champion: 100 },
    resolveEveryMs: 10,
  };
  return {
    source,
    names,
    state,
    publish: (config: RoutingConfig | null) => onChange!(config),
    storeFails: (store: 'redis' | 'postgres') => onError!(new Error(`${store} away`), store),
  };
}

/** A follower recording what it applied and what failed, with a `prepare` the test can hold. */
function follower(source: TableSource) {
  const applied: RouteRow[][] = [];
  const failed: FollowStage[] = [];
  const prepared: string[][] = [];
  const held: (() => void)[] = [];
  const hold = { on: false, failOn: undefined as string | undefined };
  const f = new RoutingFollower(source, {
    prepare: async (versions) => {
      prepared.push([...versions].sort());
      if (hold.on) await new Promise<void>((r) => held.push(r));
      if (hold.failOn !== undefined && versions.includes(hold.failOn))
        throw new Error('version does not load');
    },
    applied: (rows) => applied.push(rows),
    failed: (stage) => failed.push(stage),
  });
  const release = () => {
    for (const r of held.splice(0)) r();
  };
  return { f, applied, failed, prepared, held, hold, release };
}

const asText = (rows: RouteRow[]) => rows.map((r) => `${r.target}:${r.version}:${r.weight}`).sort();

describe('RoutingFollower', () => {
  it('puts the fallback in force while no table is stored, then the stored table', async () => {
    const s = scripted({ champion: '1', '2': '2' });
    const { f, applied, prepared } = follower(s.source);
    const started = f.start();
    s.publish(null);
    await started;
    expect(asText(f.rows)).toEqual(['champion:1:100']);
    expect(f.pick('anyone')).toBe('1');
    s.publish({ champion: 90, '2': 10 });
    await until(() => applied.length === 2);
    expect(asText(f.rows)).toEqual(['2:2:10', 'champion:1:90']);
    expect(f.weights).toEqual({ '1': 90, '2': 10 });
    expect(prepared).toEqual([['1'], ['1', '2']]);
    expect(f.health?.stale).toBe(false);
    f.stop();
  });

  it('applies tables in order: one superseded while an older one prepared is skipped, the newest wins', async () => {
    const s = scripted({ champion: '1', '2': '2', '3': '3' });
    const { f, applied, prepared, held, hold, release } = follower(s.source);
    const started = f.start();
    s.publish({ champion: 100 });
    await started;
    hold.on = true;
    s.publish({ champion: 50, '2': 50 }); // A: its prepare is held
    await until(() => held.length === 1);
    s.publish({ champion: 50, '3': 50 }); // B: queued behind A
    s.publish({ champion: 100 }); // C: supersedes B before it runs
    hold.on = false;
    release();
    await until(() => applied.length === 3);
    await new Promise((r) => setTimeout(r, 50)); // room for a late B, were it still queued
    expect(applied.map(asText)).toEqual([
      ['champion:1:100'],
      ['2:2:50', 'champion:1:50'],
      ['champion:1:100'],
    ]);
    expect(prepared.some((v) => v.includes('3'))).toBe(false);
    expect(asText(f.rows)).toEqual(['champion:1:100']);
    f.stop();
  });

  it('keeps the last good table through a store outage, a target that does not resolve, a version that does not load', async () => {
    const s = scripted({ champion: '1', '2': '2' });
    const { f, applied, failed, hold } = follower(s.source);
    const started = f.start();
    s.publish({ champion: 80, '2': 20 });
    await started;
    s.storeFails('redis');
    s.storeFails('postgres');
    s.publish({ champion: 50, '9': 50 });
    await until(() => failed.includes('resolve'));
    hold.failOn = '1';
    s.publish({ champion: 100 });
    await until(() => failed.includes('prepare'));
    expect(failed).toEqual(['redis', 'postgres', 'resolve', 'prepare']);
    expect(applied).toHaveLength(1);
    expect(asText(f.rows)).toEqual(['2:2:20', 'champion:1:80']);
    f.stop();
  });

  it('follows an alias move with the table unchanged, and keeps each user on their target', async () => {
    const s = scripted({ champion: '1', '2': '2' });
    const { f, applied, prepared } = follower(s.source);
    const started = f.start();
    s.publish({ champion: 50, '2': 50 });
    await started;
    const keys = Array.from({ length: 200 }, (_, i) => `user-${i}`);
    const before = keys.map((k) => f.pick(k));
    expect(before).toEqual(keys.map((k) => (stickyDraw(k) < 0.5 ? '2' : '1'))); // "2" sorts before "champion"
    s.names.champion = '3'; // a promotion: the table still says { champion: 50, 2: 50 }
    await until(() => applied.length === 2);
    expect(prepared.at(-1)).toEqual(['2', '3']);
    expect(keys.map((k) => f.pick(k))).toEqual(before.map((v) => (v === '1' ? '3' : v)));
    s.names.champion = '2'; // both targets name one version: their weights add up
    await until(() => applied.length === 3);
    expect(f.weights).toEqual({ '2': 100 });
    f.stop();
  });

  it('re-resolves one pass at a time: a hung lookup does not pile up', async () => {
    const s = scripted({ champion: '1' });
    const { f } = follower(s.source);
    const started = f.start();
    s.publish(null);
    await started;
    s.state.hang = true;
    const at = s.state.resolves;
    await until(() => s.state.resolves > at); // the timer started a pass, which hangs
    await new Promise((r) => setTimeout(r, 100)); // ten more ticks of the 10 ms timer
    expect(s.state.resolves).toBe(at + 1);
    expect(f.pick('k')).toBe('1');
    f.stop();
  });

  it('rejects the start when the latest table fails before any is in force, not for an older one', async () => {
    const s = scripted({ champion: '1' });
    const bad = follower(s.source);
    const badStart = bad.f.start();
    s.publish({ '7': 100 });
    await expect(badStart).rejects.toThrow('7 does not resolve');
    expect(() => bad.f.pick('k')).toThrow(/no routing table for m in force yet/);
    bad.f.stop();

    const t = scripted({ champion: '1', '7': '7' });
    const { f, failed, held, hold, release } = follower(t.source);
    const started = f.start();
    hold.on = true;
    hold.failOn = '7';
    t.publish({ '7': 100 }); // its version fails to load once released, but a newer table is wanted by then
    await until(() => held.length === 1);
    hold.on = false;
    t.publish({ champion: 100 });
    release();
    await started;
    expect(failed).toEqual(['prepare']);
    expect(asText(f.rows)).toEqual(['champion:1:100']);
    f.stop();
  });
});
