/**
 * Lab `feature-store` (Q6, Q8, Q9, Q10): one feature view drives the offline store (Postgres, the
 * point-in-time join) and the online store (Redis), fed by a daily materialization job. Then it
 * measures what serving gets: latency of online vs offline vs no store at all, freshness of
 * materialized vs on-demand features, whether online serves what training saw, and the overhead
 * that says when a feature store is not worth it.
 */
import {
  applyOnDemand,
  checkConsistency,
  describeFeatureViews,
  getHistoricalFeatures,
  getOnlineFeatures,
  listFeatureViews,
  offlineReader,
  serveOnDemand,
} from '@mlops-lab/feature-store';
import { type Check, check, fmt, type LabDefinition } from '@mlops-lab/labkit';
import { customerActivityView, secondsSinceLastActivity } from '@mlops-lab/payments';
import { BREAKS, CHECK, CLOCK_SKEW_MS, FAILED_RUNS } from './breaks.ts';
import { dayLabel, forkedAvgAmountJob, runDailyJobs } from './jobs.ts';
import { measureReads, onlineMemoryBytes } from './measure.ts';
import { buildHistory, DAY_MS, FEATURES, loadAll, NOW_MS } from './world.ts';

const SAMPLE = { quick: 200, full: 600 };

const lab: LabDefinition = {
  name: 'feature-store',
  title: 'One definition, two stores: materialization, freshness, consistency, cost',
  questions: [6, 8, 9, 10],
  needs: ['postgres', 'redis'],
  breaks: BREAKS,
  async run({ quick, seed, fault, services, out }) {
    const history = buildHistory(seed, quick);
    await out.step('Define the view once, register it, load its offline source', () =>
      loadAll(services, history),
    );
    const found = await listFeatureViews(services.pg, { owner: 'risk-platform' });
    out.say(`another team looking for owner=risk-platform finds ${found.length} view(s):`);
    out.table(
      ['view', 'feature', 'type', 'ttl', 'description'],
      describeFeatureViews(found).map((f) => [f.view, f.feature, f.type, f.ttl, f.description]),
    );

    const failing = fault === 'stale-materialization' ? FAILED_RUNS : 0;
    const { runs, watermark } = await out.step('Run the daily materialization job (Postgres -> Redis)', () =>
      runDailyJobs(services, failing),
    );
    out.table(
      ['run up to', 'status', 'source rows', 'written', 'ms'],
      runs.map((r) => [dayLabel(r.endMs), r.status, r.rows, r.written, r.ms.toFixed(0)]),
    );
    if (fault === 'online-logic-fork') await forkedAvgAmountJob(services, history);
    out.pointer(
      'packages/feature-store/src/materialize.ts',
      'chunked, resumable, newer-wins (Lua compare-and-set)',
    );

    const clock = fault === 'clock-skew' ? CLOCK_SKEW_MS : 0;
    const active = [
      ...new Set(history.payments.filter((p) => p.timestamp > NOW_MS - 7 * DAY_MS).map((p) => p.customerId)),
    ];
    const customers = active.slice(0, quick ? SAMPLE.quick : SAMPLE.full);
    const reads = await out.step('Serve: read features for sampled customers three ways', () =>
      measureReads(services, customers, NOW_MS, clock),
    );
    const ms = (x: number) => `${x.toFixed(3)} ms`;
    out.table(
      ['path', 'p50', 'p99', 'requests'],
      [
        ['online store (Redis hash)', ms(reads.online.p50), ms(reads.online.p99), reads.online.n],
        [
          'offline store (point-in-time SQL, 1 row)',
          ms(reads.offline.p50),
          ms(reads.offline.p99),
          reads.offline.n,
        ],
        [
          'no feature store (raw payments aggregate, 2 of 4 features)',
          ms(reads.direct.p50),
          ms(reads.direct.p99),
          reads.direct.n,
        ],
      ],
    );
    out.say(`a pipelined batch of ${reads.batchSize} customers: ${reads.batchMs.toFixed(1)} ms`);

    // Materialized vs on-demand (Q10): requests arrive over the day after the last job ran.
    const onDemand = secondsSinceLastActivity;
    const requestTimes = customers.map((_, i) => NOW_MS + Math.floor((i / customers.length) * DAY_MS));
    const served: (number | string | null)[] = [];
    for (const [i, c] of customers.entries()) {
      const [s] = await serveOnDemand(services, onDemand, [customerActivityView], [{ customer_id: c }], {
        now: requestTimes[i] + clock,
      });
      served.push(s.value);
    }
    const lastEvent = new Map<string, number>();
    for (const row of history.activity)
      if (row.eventTimestamp < NOW_MS) lastEvent.set(row.entityId, row.eventTimestamp);
    const truth = customers.map((c, i) => (requestTimes[i] - (lastEvent.get(c) ?? Number.NaN)) / 1000);
    // The training path: the same requests rebuilt from the offline store, then the same function.
    const historical = await getHistoricalFeatures(services.pg, {
      view: customerActivityView,
      features: ['last_event_at'],
      entityRows: customers.map((c, i) => ({ keys: { customer_id: c }, timestamp: requestTimes[i] })),
    });
    const training = applyOnDemand(onDemand, historical);
    const materializedAt = NOW_MS; // a "seconds since" precomputed by the last job
    const materializedLag = customers.map((_, i) => (requestTimes[i] - materializedAt) / 1000);
    const onDemandErrors = served.filter(
      (v, i) => v === null || Math.abs(Number(v) - truth[i]) > 1e-6,
    ).length;
    const trainingDiffers = training.filter((r, i) => r.values.seconds_since_last_event !== served[i]).length;
    out.table(
      ['seconds_since_last_event', 'wrong at request time', 'mean error', 'max error'],
      [
        [
          'on-demand (request time - online last_event_at)',
          onDemandErrors,
          fmt.seconds(mean(served.map((v, i) => Math.abs(Number(v) - truth[i])))),
          '-',
        ],
        [
          'materialized by the daily job',
          customers.length,
          fmt.seconds(mean(materializedLag)),
          fmt.seconds(Math.max(...materializedLag)),
        ],
      ],
    );
    out.say(
      `training path (applyOnDemand over historical rows) differs from serving on ${trainingDiffers} of ${customers.length}`,
    );
    out.pointer(
      'packages/feature-store/src/on-demand.ts',
      'one compute function for the training and the serving path',
    );

    const consistency = await out.step(
      'Consistency check: offline point-in-time vs online, same customers and time',
      () =>
        checkConsistency({
          offline: offlineReader(services.pg, customerActivityView),
          online: (keys, now) =>
            getOnlineFeatures(services, customerActivityView, [...keys], { now: now + clock }),
          sample: customers.map((c) => ({ keys: { customer_id: c }, timestamp: NOW_MS })),
          features: FEATURES,
        }),
    );
    out.table(
      ['feature', 'compared', 'mismatches', 'example'],
      Object.entries(consistency.features).map(([f, r]) => {
        const e = r.examples[0];
        const example = e
          ? `${e.keys.customer_id}: offline ${e.offline}, online ${e.online ?? e.onlineReason ?? 'null'}`
          : '-';
        return [f, r.compared, r.mismatches, example.slice(0, 90)];
      }),
    );
    out.pointer(
      'packages/feature-store/src/consistency.ts',
      'the audit: the same entity and time through both paths',
    );

    // When not to use one (Q9): what the store costs per day against what it saves per request.
    const okRuns = runs.filter((r) => r.status === 'ok').slice(1);
    const jobMsPerDay = okRuns.length ? mean(okRuns.map((r) => r.ms)) : 0;
    const savedPerRequest = reads.direct.p50 - reads.online.p50;
    const breakEven = savedPerRequest > 0 ? jobMsPerDay / savedPerRequest : Number.POSITIVE_INFINITY;
    const memory = await onlineMemoryBytes(services, new Set(history.activity.map((r) => r.entityId)).size);
    // The compute break-even is low; what decides Q9 is the second store, so the words say that.
    out.say(
      `overhead: a daily job of ${fmt.ms(jobMsPerDay)}, ${(memory / 1e6).toFixed(1)} MB of Redis, a second store to keep consistent. ` +
        (Number.isFinite(breakEven)
          ? `It saves ${fmt.ms(savedPerRequest)} per request over querying raw payments (online p50 ${fmt.ms(reads.online.p50)}, ` +
            `direct ${fmt.ms(reads.direct.p50)}), so its compute has paid for itself from ${fmt.count(Math.ceil(breakEven))} requests a day. `
          : `It is no faster than querying raw payments here (online p50 ${fmt.ms(reads.online.p50)}, direct ` +
            `${fmt.ms(reads.direct.p50)}), so its compute never pays for itself. `) +
        'Compute is not what decides: when the direct query already meets the latency budget, the store buys ' +
        'no user-visible speed and costs a second system to run and reconcile; for one team and one model it is ' +
        'not worth it, for features shared across teams and models it is (Q9).',
    );

    const watermarkAge = NOW_MS - watermark;
    const checks: Check[] = [
      check(
        CHECK.consistent,
        consistency.mismatches === 0,
        `${consistency.mismatches} mismatches over ${consistency.sampled} customers x ${FEATURES.length} features`,
      ),
      check(
        CHECK.fresh,
        watermarkAge <= DAY_MS,
        `watermark ${dayLabel(watermark)}, ${(watermarkAge / DAY_MS).toFixed(1)} days before now`,
      ),
      check(
        CHECK.onDemand,
        onDemandErrors === 0 && trainingDiffers === 0,
        `${onDemandErrors} wrong at request time, ${trainingDiffers} differ between training and serving`,
      ),
    ];
    return {
      checks,
      metrics: {
        onlineP50Ms: reads.online.p50,
        onlineP99Ms: reads.online.p99,
        offlineP50Ms: reads.offline.p50,
        directP50Ms: reads.direct.p50,
        batchMs: reads.batchMs,
        consistencyMismatches: consistency.mismatches,
        watermarkAgeDays: watermarkAge / DAY_MS,
        materializedMeanLagS: mean(materializedLag),
        breakEvenRequestsPerDay: Number.isFinite(breakEven) ? Math.round(breakEven) : null,
      },
    };
  },
};

function mean(xs: number[]): number {
  const finite = xs.filter(Number.isFinite);
  return finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : 0;
}

export default lab;
