/**
 * The canary rollout (Q15, Q18): live keyed traffic runs the whole time; runCanary of @mlops-lab/router
 * ramps the challenger 5% -> 25% -> 100% through the registry's routing table. First on the slow shadow
 * replica (the p99 guardrail rolls it back at 5%), then on a production replica (every step healthy);
 * the champion alias then moves with the verdict's numbers as its reason, and the alias history shows it.
 * Stickiness is measured per window in which one table was in force.
 */
import { fmt, type Narrator } from '@mlops-lab/labkit';
import { aliasHistory, getAlias, setAlias, setRouting } from '@mlops-lab/registry';
import { type CanaryResult, type Router, type RouteSource, runCanary } from '@mlops-lab/router';
import type { Services } from '@mlops-lab/services';
import { SLOW_MS } from './deploy.ts';
import { canaryHands } from './ramp.ts';
import { background, mixedUsers, type Users } from './traffic.ts';
import { newWorld } from './world.ts';

/** The canary's latency guardrail on the router's upstream histogram (bucket upper bounds). */
export const MAX_P99_MS = 600;

export interface Rollout {
  attempt1: CanaryResult;
  attempt2: CanaryResult;
  aliasAfterRollback: number | null;
  promoted: boolean;
  mixed: number;
  stepReplies: number;
}

export async function canaryRollout(
  services: Pick<Services, 'pg' | 'redis' | 'key'>,
  out: Narrator,
  o: {
    model: string;
    quick: boolean;
    seed: number;
    router: Router;
    routes: RouteSource;
    users: Users;
    useProductionReplica(): void;
    /** The alias move's reason when the shadow verdict said promote, else null (no move). */
    promoteReason: string | null;
    challengerVersion: number;
  },
): Promise<Rollout> {
  const challenger = String(o.challengerVersion);
  const hands = canaryHands(services, { model: o.model, challenger, router: o.router, routes: o.routes });
  // Windows in which one table was in force: from "in force" after a write to the next write.
  const windows: { from: number; to: number }[] = [];
  const closeWindow = () => {
    const last = windows.at(-1);
    if (last) last.to = performance.now();
  };
  const setPercent = async (p: number) => {
    closeWindow();
    await hands.setPercent(p);
    windows.push({ from: performance.now(), to: Number.POSITIVE_INFINITY });
  };
  const steps = [5, 25, 100].map((percent, i) => ({
    percent,
    minRequests: (o.quick ? [40, 150, 300] : [150, 600, 1500])[i],
  }));
  const guardrails = { maxP99LatencyMs: MAX_P99_MS, maxErrorRate: 0.01 };
  const pool = newWorld({ seed: o.seed * 1000 + 20, size: 20_000, week: 20 });
  const traffic = background(o.users, (i) => ({ id: `c-${i}`, event: pool[i % pool.length] }), 16);
  const onStep = (e: { step: number; percent: number; healthy: boolean; reason: string }) =>
    out.say(`  step ${e.step} at ${e.percent}%: ${e.healthy ? 'healthy' : 'BROKEN'} (${e.reason})`);
  const canary = () =>
    runCanary({ steps, setPercent, observe: hands.observe, guardrails, onStep, stepTimeoutMs: 10_000 });

  const attempt1 = await out.step(
    `Canary on the shadow replica (slow), guardrails p99 <= ${MAX_P99_MS} ms, errors <= 1%`,
    canary,
  );
  out.say(`outcome: ${attempt1.outcome}: ${attempt1.reason}`);
  const aliasAfterRollback = await getAlias(services.pg, o.model, 'champion');
  o.useProductionReplica();
  await new Promise((r) => setTimeout(r, 2 * SLOW_MS)); // calls still in flight on the slow replica drain
  const attempt2 = await out.step('Canary on a production replica: 5% -> 25% -> 100%', canary);
  out.say(`outcome: ${attempt2.outcome}: ${attempt2.reason}`);

  let promoted = false;
  if (attempt2.outcome === 'promoted' && o.promoteReason) {
    await setAlias(services.pg, o.model, 'champion', o.challengerVersion, o.promoteReason);
    closeWindow();
    await setRouting(services, o.model, { champion: 100 }, { reason: o.promoteReason, by: 'canary' });
    const deadline = performance.now() + 5000;
    while (o.routes.current()[challenger] !== 100 && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    promoted = o.routes.current()[challenger] === 100;
  }
  await traffic.stop();
  const history = await aliasHistory(services.pg, o.model, 'champion');
  out.table(
    ['alias', 'from', 'to', 'why'],
    history.map((h) => [h.alias, h.fromVersion ?? '-', h.toVersion, h.reason]),
  );
  out.say(
    `routing table now { champion: 100 }, champion = v${await getAlias(services.pg, o.model, 'champion')}`,
  );

  // Stickiness: replies sent and answered while one table was in force, per user.
  let mixed = 0;
  let stepReplies = 0;
  for (const w of windows) {
    const inWindow = traffic.log.filter((r) => r.t0 >= w.from && r.t1 < w.to);
    stepReplies += inWindow.length;
    mixed += mixedUsers(inWindow);
  }
  const failed = traffic.log.filter((r) => r.status !== 200).length;
  out.say(
    `canary traffic: ${traffic.log.length} replies (${fmt.pct(failed / Math.max(traffic.log.length, 1))} failed); ` +
      `users answered by two versions within one table: ${mixed}`,
  );
  out.pointer(
    'packages/router/src/canary.ts',
    'runCanary: judge each step, roll back on the first broken guardrail',
  );
  return { attempt1, attempt2, aliasAfterRollback, promoted, mixed, stepReplies };
}
