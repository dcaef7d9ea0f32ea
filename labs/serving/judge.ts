/**
 * Judging what the server answered (Q16): the flood's replies per family of malformed body against
 * the server's own /metrics counts, and the logged good requests re-scored by the training pipeline
 * (the offline path) to catch a serving transform that differs from training's.
 */
import { fmt, type Narrator } from '@mlops-lab/labkit';
import { decide } from '@mlops-lab/model-server';
import type { PaymentInput } from '@mlops-lab/payments';
import type { LoadedModel } from '@mlops-lab/training';
import { type BadRequest, type Reply, sendAll, statusCounts } from './traffic.ts';

/** `200: 240, 400: 12` */
export function statusOf(rs: Reply[]): string {
  const m = new Map<number, number>();
  for (const r of rs) m.set(r.status, (m.get(r.status) ?? 0) + 1);
  return [...m]
    .sort((a, b) => a[0] - b[0])
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
}

/** Sends good and malformed bodies interleaved (16 in flight), tabulates replies, diffs /metrics. */
export async function runFlood(
  out: Narrator,
  url: string,
  good: Record<string, unknown>[],
  bad: BadRequest[],
) {
  const bodies = good.flatMap((b, i) => [JSON.stringify(b), bad[i].body]);
  const counts0 = await statusCounts(url);
  const replies = await out.step(
    `Flood: ${bad.length} malformed requests mixed with ${good.length} good ones`,
    () => sendAll(url, bodies, 16),
  );
  const counts1 = await statusCounts(url);
  const goodReplies = replies.filter((_, i) => i % 2 === 0);
  const badReplies = replies.filter((_, i) => i % 2 === 1);
  // One example reply per family, printed below the table: JSON in a cell would not fit a terminal.
  const families = [
    { sent: 'good payments', rs: goodReplies },
    ...[...new Set(bad.map((b) => b.family))].map((f) => ({
      sent: f,
      rs: badReplies.filter((_, i) => bad[i].family === f),
    })),
  ];
  out.table(
    ['sent', 'n', 'replies by status'],
    families.map((f) => [f.sent, f.rs.length, statusOf(f.rs)]),
  );
  out.say('an example reply of each:');
  for (const f of families) out.say(`  ${f.sent}: ${JSON.stringify(f.rs[0].body)}`);
  const clientCounts = new Map<string, number>();
  for (const r of replies) clientCounts.set(String(r.status), (clientCounts.get(String(r.status)) ?? 0) + 1);
  const metricDelta = [...new Set([...counts1.keys(), ...clientCounts.keys()])].sort().map((k) => ({
    status: k,
    server: (counts1.get(k) ?? 0) - (counts0.get(k) ?? 0),
    client: clientCounts.get(k) ?? 0,
  }));
  out.say(
    `/metrics model_server_requests_total over the flood: ${metricDelta.map((d) => `${d.status}: ${d.server}`).join(', ')}`,
  );
  // A correct refusal names the field the body got wrong, and says why.
  const refused = badReplies.filter(
    (r, i) =>
      r.status === 400 &&
      r.body?.field === bad[i].field &&
      typeof r.body?.reason === 'string' &&
      r.body.reason !== '',
  ).length;
  const serverErrors = [...counts1].filter(([k]) => k.startsWith('5')).reduce((n, [, v]) => n + v, 0);
  return { goodReplies, badReplies, refused, metricDelta, serverErrors };
}

/** Re-scores the logged requests with the training transform + model; differences by amount band. */
export async function compareOffline(
  out: Narrator,
  offline: LoadedModel,
  good: Record<string, unknown>[],
  servedScores: number[],
): Promise<{ maxDiff: number; flipped: number }> {
  out.step('Replay the logged good requests through the training pipeline (offline) and compare');
  const offlineScores = await offline.predict(
    good.map((b) => offline.preprocess(b as unknown as PaymentInput)),
  );
  let maxDiff = 0;
  let flipped = 0;
  const bands = [20, 100, 500, Number.POSITIVE_INFINITY].map((hi, j, a) => ({
    lo: a[j - 1] ?? 0,
    hi,
    n: 0,
    max: 0,
    flipped: 0,
  }));
  good.forEach((b, i) => {
    const d = Math.abs(servedScores[i] - offlineScores[i]);
    const changed = decide(servedScores[i]).decision !== decide(offlineScores[i]).decision;
    maxDiff = Math.max(maxDiff, Number.isNaN(d) ? Number.POSITIVE_INFINITY : d);
    flipped += changed ? 1 : 0;
    const band = bands.find((k) => (b.amount as number) < k.hi) ?? bands[bands.length - 1];
    band.n++;
    band.max = Math.max(band.max, d);
    band.flipped += changed ? 1 : 0;
  });
  out.table(
    ['amount', 'requests', 'max |served - offline|', 'decisions changed'],
    bands.map((k) => [
      Number.isFinite(k.hi) ? `${k.lo} - ${k.hi}` : `>= ${k.lo}`,
      k.n,
      fmt.num(k.max),
      k.flipped,
    ]),
  );
  return { maxDiff, flipped };
}
