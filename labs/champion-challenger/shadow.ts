/**
 * One shadow experiment (Q15, Q29): the champion answers every user while the router mirrors a share of
 * requests to the challenger; both predictions land in the prediction log; labels arrive a delay later;
 * the paired sample is judged by the verdict at the planned sample size (or, under `peeking`, at every
 * look). Used for the retrained challenger and for the offline winner.
 */
import { fmt, type Narrator } from '@mlops-lab/labkit';
import type { PredictionLog } from '@mlops-lab/monitoring';
import { joinOutcomes, type Router, verdict } from '@mlops-lab/router';
import type { Services } from '@mlops-lab/services';
import { ALPHA, type Decision, decide, type LabelFeed, type Pairs } from './decide.ts';
import { openLoop, type Reply, type Request, type Users } from './traffic.ts';

export const SHADOW_SHARE = 0.5;
/** Bounds a hung challenger; generous, since a shadow call costs users nothing while it waits. */
export const SHADOW_TIMEOUT_MS = 10_000;

export interface ShadowEnv {
  router: Router;
  log: PredictionLog;
  users: Users;
  feed: LabelFeed;
  pg: Pick<Services['pg'], 'query'>;
  out: Narrator;
}

export interface ShadowResult {
  replies: Reply[];
  /** Replies naming a version other than the champion. */
  leaked: number;
  pairs: Pairs;
  decision: Decision;
  labelledAtEnd: number;
}

const indexOf = (id: string) => Number(id.slice(id.lastIndexOf('-') + 1));

export async function shadowExperiment(
  env: ShadowEnv,
  o: {
    prefix: string;
    champion: string;
    challenger: string;
    requests: Request[];
    /** Payments per second, open loop. */
    rate: number;
    planned: number;
    peeking: boolean;
    seed: number;
  },
): Promise<ShadowResult> {
  const { router, out } = env;
  const before = await shadowOutcomes(router);
  router.setShadow({
    version: o.challenger,
    share: SHADOW_SHARE,
    timeoutMs: SHADOW_TIMEOUT_MS,
    maxInFlight: 512,
  });
  const replies = await openLoop(env.users, o.requests, o.rate);
  await router.shadowIdle();
  router.setShadow(null);
  const leaked = replies.filter((r) => r.version !== null && r.version !== o.champion).length;
  const failed = replies.filter((r) => r.status !== 200).length;
  out.say(
    `${replies.length} payments at ${o.rate}/s: ${replies.length - leaked - failed} answered by v${o.champion}, ` +
      `${leaked} by another version, ${failed} failed`,
  );

  const after = await shadowOutcomes(router);
  const calls = Object.entries(after).map(([k, v]) => `${v - (before[k] ?? 0)} ${k}`);
  out.say(`mirrored calls to v${o.challenger}: ${calls.join(', ')}`);

  // Labels: what has arrived by the end of the traffic, then the wait for the rest.
  const written = env.feed.written;
  await env.feed.add(replies);
  const labelledAtEnd = env.feed.written - written;
  await env.feed.drain();
  await env.log.persisted();
  const rows = (await joinOutcomes(env.pg)).filter((r) => r.requestId.startsWith(`${o.prefix}-`));
  const mirrored = rows.filter((r) => r.shadowVersion === o.challenger);
  const shadowErrors = mirrored.filter((r) => r.shadowError !== null || r.shadowScore === null).length;
  const servedErrors = rows.filter((r) => r.servedScore === null).length;
  const paired = mirrored
    .filter((r) => r.shadowScore !== null && r.servedScore !== null && r.label !== null)
    .sort((a, b) => indexOf(a.requestId) - indexOf(b.requestId));
  const pairs: Pairs = {
    ids: paired.map((r) => r.requestId),
    champion: paired.map((r) => r.servedScore as number),
    challenger: paired.map((r) => r.shadowScore as number),
    labels: paired.map((r) => r.label as 0 | 1),
  };
  out.say(
    `labels arrive ${fmt.ms(env.feed.delayMs)} after each reply (a chargeback's weeks, compressed): ` +
      `${labelledAtEnd} of ${replies.length} had arrived when the traffic ended; after the wait ` +
      `${pairs.labels.length} mirrored requests have both scores and a label (planned sample: ${o.planned})`,
  );
  const early = Math.min(300, pairs.labels.length);
  const look = verdict(
    {
      champion: pairs.champion.slice(0, early),
      challenger: pairs.challenger.slice(0, early),
      labels: pairs.labels.slice(0, early),
    },
    { alpha: ALPHA, resamples: 0 },
  );
  out.say(`a look at the first ${early} labels only: ${look.decision} (${look.reason.split(';')[0]})`);

  const decision = decide(pairs, o.planned, o.peeking, {
    alpha: ALPHA,
    seed: o.seed,
    resamples: 1000,
    guardrails: {
      errorRate: {
        champion: servedErrors / Math.max(rows.length, 1),
        challenger: shadowErrors / Math.max(mirrored.length, 1),
        maxIncrease: 0.02,
      },
    },
  });
  return { replies, leaked, pairs, decision, labelledAtEnd };
}

async function shadowOutcomes(router: Router): Promise<Record<string, number>> {
  const out: Record<string, number> = { ok: 0, error: 0, timeout: 0, skipped: 0 };
  for (const v of (await router.metrics.shadow.get()).values) out[String(v.labels.outcome)] = v.value;
  return out;
}

export function verdictTable(out: Narrator, d: Decision, champion: string, challenger: string): void {
  const v = d.verdict;
  out.table(
    [
      'labels used',
      'positives',
      `AUC v${champion}`,
      `AUC v${challenger}`,
      'delta',
      `${Math.round(100 * (1 - 2 * v.alpha))}% CI`,
      'DeLong p',
      'decision',
    ],
    [
      [
        // Always the look count: a "(look 7)" shown only when the rule peeks would name the fault.
        `${d.at} (look ${d.looks})`,
        v.positives,
        fmt.num(v.champion),
        fmt.num(v.challenger),
        fmt.num(v.delta),
        `[${fmt.num(v.ci[0])}, ${fmt.num(v.ci[1])}]`,
        fmt.p(v.pValue),
        v.decision,
      ],
    ],
  );
  for (const g of v.guardrails) out.say(`guardrail ${g.name}: ${g.ok ? 'ok' : 'FAILED'} (${g.detail})`);
}

/**
 * The structural test of "the user never waits for the shadow" (Q29): for each mirrored request, did
 * its reply reach the client after its shadow call had ended? Fire-and-forget answers first (the
 * shadow then needs at least the slow replica's delay); a shadow on the user's path answers only
 * after it. Timestamps: the client's `t1` on the performance clock and the router's log `at` (the
 * shadow's end), both read in this process, compared on the epoch clock.
 */
export async function repliesAfterShadow(
  pg: Services['pg'],
  replies: Reply[],
): Promise<{ mirrored: number; after: number }> {
  const { rows } = await pg.query(
    `SELECT request_id, at FROM prediction_log WHERE role = 'shadow' AND request_id = ANY($1::text[])`,
    [replies.map((r) => r.id)],
  );
  const shadowEnd = new Map(rows.map((r) => [r.request_id as string, (r.at as Date).getTime()]));
  let after = 0;
  for (const r of replies) {
    const end = shadowEnd.get(r.id);
    if (end !== undefined && performance.timeOrigin + r.t1 >= end) after++;
  }
  return { mirrored: shadowEnd.size, after };
}
