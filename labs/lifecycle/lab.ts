/**
 * Lab `lifecycle` (Q1, Q2, Q3, Q35): one run through every stage of an ML system with the project's
 * own packages, each handoff printed with what crossed it.
 *
 *  data        the retrain feed (5 weeks, the fraud pattern changes in week 3) versioned and snapshotted
 *  validation  the snapshot verified against its id; ML CI's data gate on the newest training week
 *  features    the training and holdout rows joined point-in-time to the customer aggregates
 *  training    the retrain pipeline's run for week 3 (pull, validate, train, judge, terminal record)
 *  registry    the version, its artifact hash and the champion alias the run moved
 *  serving     the model server loads champion from its artifact and warms up before it is ready
 *  routing     the routing table stored and in force; week 3's payments served through it
 *  monitoring  the prediction log read back by event time, labels joined, every monitor on the week
 *  retraining  the run for week 5 on newer weeks, judged against the champion on week 4
 *  promotion   the gate's decision moves champion; the running server follows the alias
 * The work of each stage is in stages.ts; this file runs them in order, prints each handoff and judges
 * the run. Q2 is measured from the source tree (roles.ts); Q1's and Q3's differences from ordinary
 * software are checks of this run. `--break <lab>:<fault>` injects another lab's fault in its stage
 * (breaks.ts).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { datasetsMigrations } from '@mlops-lab/datasets';
import { type Check, check, fmt, type LabDefinition } from '@mlops-lab/labkit';
import type { ModelServer } from '@mlops-lab/model-server';
import type { PredictionLog } from '@mlops-lab/monitoring';
import { getVersion, migrateRegistry } from '@mlops-lab/registry';
import { migrateRetrain, runSlot } from '@mlops-lab/training';
import { BREAKS, CHECK, STAGE_OF, STAGES, type Stage } from './breaks.ts';
import { countLines, ROLES, RULES, SYSTEM_ROLES } from './roles.ts';
import {
  FIRST_SLOT,
  followPromotion,
  MODEL,
  monitorServedWeek,
  pullFeatures,
  RETRAIN_SLOT,
  registryState,
  retrainPipeline,
  retrainSameRows,
  routeWeek,
  SERVED_WINDOW,
  SHIFT_WEEK,
  seedData,
  short,
  startServing,
  validateSnapshot,
  WEEKS,
} from './stages.ts';

const ROOT = dirname(dirname(dirname(fileURLToPath(import.meta.url))));

const lab: LabDefinition = {
  name: 'lifecycle',
  title: 'The whole lifecycle: data to promotion, every handoff, with the real packages',
  questions: [1, 2, 3, 35],
  needs: ['postgres', 'redis'],
  breaks: BREAKS,
  async run({ quick, seed, fault, services, out }) {
    const perWeek = quick ? 900 : 3000;
    const handoff: Record<Stage, string> = Object.fromEntries(
      STAGES.map((s) => [s, 'not reached']),
    ) as Record<Stage, string>;
    const artifactsRoot = mkdtempSync(join(tmpdir(), 'lab-lifecycle-'));
    let log: PredictionLog | null = null;
    let server: ModelServer | null = null;
    try {
      await migrateRegistry(services);
      await migrateRetrain(services);
      await services.migrate('datasets', datasetsMigrations);

      // 1. data
      const data = await out.step(
        `data: ${WEEKS} weeks of payments and customer aggregates, versioned and snapshotted`,
        () =>
          seedData(services, {
            seed,
            perWeek,
            emptyWeeks: fault === 'retraining:empty-week' ? [RETRAIN_SLOT - 1] : [],
            rewriteRows: fault === 'data-versioning:mutated-history' ? 5 : 0,
          }),
      );
      handoff.data = `snapshot ${short(data.snap.id)} (${data.snap.rowCount} rows; per week ${data.feed.perWeek.join(' ')})`;
      out.say(
        `-> ${handoff.data}; ${data.feed.activityRows} aggregate rows in the feature store's offline source`,
      );
      out.pointer('packages/datasets/src/snapshot.ts', 'the snapshot id: a Merkle root over the rows');

      // 2. validation
      const validation = await out.step('validation: verify the snapshot, then the data gate', () =>
        validateSnapshot(services, data.snap.id),
      );
      if (validation.ok) handoff.validation = `snapshot ${short(data.snap.id)}, verified; gate passed`;
      out.say(`${validation.ok ? '->' : 'refused:'} ${validation.detail}`);
      out.pointer('packages/training/src/ci/data-gate.ts', 'each data expectation and its threshold');

      // 3. features
      const features = await out.step('features: point-in-time join of the aggregates', async () =>
        validation.ok ? pullFeatures(services) : null,
      );
      if (features) {
        handoff.features = `train ${short(features.trainHash)} (${features.train.length} rows), holdout ${short(features.holdoutHash)} (${features.holdout.length})`;
        out.say(
          `-> ${handoff.features}; ${features.withActivity} of ${features.train.length} training rows have aggregates as of their payment (createdBeforeEntity)`,
        );
      } else out.say('not reached: the run stopped at validation');
      out.pointer('packages/training/src/retrain/data.ts', 'the pull step and its point-in-time join');

      const { config, ctx } = retrainPipeline(services, {
        seed,
        perWeek,
        artifactsRoot,
        overlapHoldout: fault === 'retraining:metric-gaming',
      });

      // 4. training
      const first = await out.step(`training: the pipeline's run for week ${FIRST_SLOT}`, async () =>
        features ? runSlot(ctx, FIRST_SLOT) : null,
      );
      const firstRecord = first?.record ?? null;
      if (firstRecord) {
        handoff.training = `v${firstRecord.challengerVersion}, trained on ${firstRecord.snapshot.trainHash}, ${firstRecord.outcome}`;
        out.say(`-> ${handoff.training}: ${firstRecord.reason}`);
      } else out.say('not reached: the run stopped at validation');
      out.pointer(
        'packages/training/src/retrain/pipeline.ts',
        'pull, validate, train, judge, one terminal record',
      );

      // 5. registry
      const registry = await out.step('registry: the version, its artifact, the alias', async () =>
        firstRecord?.challengerVersion ? registryState(services, firstRecord.challengerVersion) : null,
      );
      if (registry) {
        handoff.registry = `${MODEL}@champion -> v${registry.champion}, artifact ${short(registry.v.hash)}`;
        out.say(`-> ${handoff.registry}; data ref "${registry.v.dataRef}"`);
      } else out.say('not reached: the run stopped at validation');

      // 6. serving (warm)
      const serving = await out.step(
        'serving: load champion from its artifact, warm up, then ready',
        async () => {
          if (!registry || !features) return null;
          const started = await startServing(services, artifactsRoot, features.holdout.slice(0, 32));
          log = started.log;
          server = started.server;
          return { readyMs: started.readyMs, routes: started.server.routes };
        },
      );
      if (serving) {
        handoff.serving = `ready after load + warm-up in ${fmt.ms(serving.readyMs)}, answering v${serving.routes[0]?.version}`;
        out.say(`-> ${handoff.serving}`);
      } else out.say('not reached: the run stopped at validation');
      out.pointer('packages/model-server/src/warmup.ts', 'why /readyz waits for the warm-up');

      // 7. routing
      const amountScale = fault === 'drift:unit-change' ? 100 : 1;
      const routed = await out.step(
        `routing: store the table, serve week ${SHIFT_WEEK}'s payments through it`,
        async () =>
          server && features && log ? routeWeek(services, server, features.served, amountScale) : null,
      );
      if (routed) {
        handoff.routing = `table ${routed.routes.map((r) => `${r.target}=v${r.version}:${r.weight}`).join(', ')}; ${routed.served.ok} answered, ${routed.served.failed} failed`;
        out.say(`-> ${handoff.routing}`);
      } else out.say('not reached: the run stopped at validation');
      out.pointer(
        'packages/registry/src/routing-follow.ts',
        'a running server follows table and alias changes',
      );

      // 8. monitoring
      const monitoring = await out.step(
        'monitoring: the logged week, labels joined, every monitor',
        async () =>
          routed && features && log && firstRecord?.challengerVersion
            ? monitorServedWeek(services, log, features, firstRecord.challengerVersion, artifactsRoot)
            : null,
      );
      const inputAlerts = monitoring?.report.alerts.filter((a) => a.monitor === 'input') ?? [];
      if (monitoring) {
        const r = monitoring.report;
        handoff.monitoring = `window ${new Date(SERVED_WINDOW.start).toISOString().slice(0, 10)} +7 d: ${monitoring.logged} logged, realized AUC ${r.realized.auc?.toFixed(3)} (reference ${monitoring.reference.auc.toFixed(3)}), ${r.alerts.length} alerts`;
        out.say(`-> ${handoff.monitoring}`);
        for (const a of r.alerts) out.say(`   alert ${a.monitor}/${a.metric}: ${a.detail}`);
      } else out.say('not reached: the run stopped at validation');
      out.pointer(
        'packages/monitoring/src/monitors.ts',
        'input, output, operational, performance and business monitors',
      );

      // 9. retraining
      const retrain = await out.step(
        `retraining: the run for week ${RETRAIN_SLOT} on newer weeks`,
        async () => (monitoring ? runSlot({ ...ctx, config }, RETRAIN_SLOT) : null),
      );
      const rec = retrain?.record ?? null;
      if (rec) {
        handoff.retraining = `${rec.outcome}: train ${rec.snapshot.trainHash ?? '-'} (${rec.snapshot.trainRows} rows), holdout week ${rec.snapshot.holdoutWeek} (${rec.snapshot.holdoutRows} rows)`;
        out.say(`-> ${handoff.retraining}`);
      } else out.say('not reached: the run stopped at validation');

      // 10. promotion
      const promotion = await out.step(
        'promotion: the gate decides; the running server follows champion',
        async () =>
          rec && server && features
            ? followPromotion(services, server, features.next.slice(0, quick ? 100 : 400))
            : null,
      );
      if (promotion && rec) {
        handoff.promotion = `${rec.reason}; champion -> v${promotion.champion} (${promotion.moves.length} moves); answered by ${Object.entries(
          promotion.served.versions,
        )
          .map(([v, n]) => `v${v}: ${n}`)
          .join(', ')}`;
        out.say(`-> ${handoff.promotion}`);
      } else out.say('not reached: the run stopped at validation');
      out.pointer(
        'packages/training/src/retrain/gate.ts',
        'DeLong and a paired bootstrap decide, not one number',
      );

      out.step('The handoffs');
      out.table(
        ['stage', 'what crossed to the next stage'],
        STAGES.map((s) => [s, handoff[s]]),
      );

      // Q2: the repository by role
      const lines = await out.step('Q2: this repository, line by line, by role', async () =>
        countLines(ROOT),
      );
      const system = SYSTEM_ROLES.reduce((s, r) => s + lines.lines[r], 0);
      out.table(
        ['role', 'files', 'non-blank lines', 'share of the system'],
        ROLES.map((r) => [
          r,
          lines.filesByRole[r],
          lines.lines[r],
          SYSTEM_ROLES.includes(r) ? fmt.pct(lines.lines[r] / system) : '-',
        ]),
      );
      const modelShare = lines.lines['model code'] / system;
      out.say(
        `${lines.files} files from ${lines.source}: model code is ${fmt.pct(modelShare)} of the system's ${system} lines ` +
          `(tests, docs and labs apart); a path's role is the first of ${RULES.length} rules it matches (labs/lifecycle/roles.ts)`,
      );

      // Q3 and Q1 as checks
      const retrained = rec?.challengerVersion
        ? await getVersion(services.pg, MODEL, rec.challengerVersion)
        : null;
      const again =
        features && registry ? await retrainSameRows(features, config.epochs, artifactsRoot) : null;
      const r = monitoring?.report;
      const opsAlerts = r?.alerts.filter((a) => a.monitor === 'operational') ?? [];
      const qualityFell =
        r?.realized.auc != null && monitoring ? r.realized.auc < monitoring.reference.auc - 0.03 : false;
      const newVersionServes =
        promotion !== null &&
        rec?.outcome === 'promoted' &&
        (promotion.served.versions[String(rec.challengerVersion)] ?? 0) === promotion.served.ok &&
        promotion.served.ok > 0;
      const ci = rec?.metrics.ci as [number, number] | null | undefined;
      const checks: Check[] = [
        check(CHECK.validation, validation.ok, validation.detail),
        check(
          CHECK.features,
          features !== null &&
            firstRecord !== null &&
            firstRecord.snapshot.trainHash === short(features.trainHash),
          features && firstRecord
            ? `run ${firstRecord.snapshot.trainHash}, features ${short(features.trainHash)}`
            : 'not reached',
        ),
        check(
          CHECK.registry,
          registry !== null &&
            registry.champion === firstRecord?.challengerVersion &&
            registry.v.dataRef.includes(String(firstRecord.snapshot.trainHash)),
          registry ? `champion v${registry.champion}, data ref ${registry.v.dataRef}` : 'not reached',
        ),
        check(
          CHECK.serving,
          routed !== null && routed.served.failed === 0 && routed.served.ok === features?.served.length,
          routed ? `${routed.served.ok} of ${features?.served.length} answered` : 'not reached',
        ),
        check(
          CHECK.inputQuiet,
          monitoring !== null && inputAlerts.length === 0,
          monitoring
            ? inputAlerts.map((a) => `${a.metric}: ${a.detail}`).join('; ') || 'no input alert'
            : 'not reached',
        ),
        check(
          CHECK.retrainRan,
          rec !== null && rec.outcome !== 'skipped',
          rec ? `${rec.outcome}: ${rec.reason}` : 'not reached',
        ),
        check(
          CHECK.promoted,
          newVersionServes,
          rec
            ? `${rec.outcome}: ${rec.reason}; answered by ${JSON.stringify(promotion?.served.versions ?? {})}`
            : 'not reached',
        ),
        check(
          CHECK.newData,
          retrained !== null && registry !== null && retrained.hash !== registry.v.hash,
          retrained && registry
            ? `artifact ${short(registry.v.hash)} (weeks ${firstRecord?.snapshot.trainWeeks}) vs ${short(retrained.hash)} (weeks ${rec?.snapshot.trainWeeks}), same trainModel`
            : 'no second model',
        ),
        check(
          CHECK.sameData,
          again !== null && registry !== null && again === registry.v.hash,
          again && registry
            ? `retrained on the same rows: ${short(again)} vs ${short(registry.v.hash)}`
            : 'not reached',
        ),
        check(
          CHECK.probabilistic,
          Array.isArray(ci) && typeof rec?.metrics.pValue === 'number',
          Array.isArray(ci)
            ? `AUC delta ${Number(rec?.metrics.delta).toFixed(3)}, 95% CI [${ci[0].toFixed(3)}, ${ci[1].toFixed(3)}], p=${Number(rec?.metrics.pValue).toPrecision(2)}`
            : `no interval: ${rec?.reason ?? 'not reached'}`,
        ),
        check(
          CHECK.silent,
          routed !== null && routed.served.failed === 0 && opsAlerts.length === 0 && qualityFell,
          r && monitoring
            ? `HTTP errors ${routed?.served.failed}, operational alerts ${opsAlerts.length}; realized AUC ${r.realized.auc?.toFixed(3)} vs reference ${monitoring.reference.auc.toFixed(3)}`
            : 'not reached',
        ),
        check(
          CHECK.roles,
          lines.unclassified.length === 0,
          lines.unclassified.length === 0
            ? `${lines.files} files, each matched a rule`
            : `no rule for: ${lines.unclassified.slice(0, 5).join(', ')}`,
        ),
      ];
      const firstNotice = checks.find((c) => !c.passed && STAGE_OF[c.name]);
      out.say(
        firstNotice
          ? `first stage to notice: ${STAGE_OF[firstNotice.name]} (${firstNotice.detail})`
          : 'no stage noticed a fault; the drop in week 3 is the changed fraud pattern, which retraining answers',
      );
      return {
        checks,
        metrics: {
          modelCodeShare: modelShare,
          modelCodeLines: lines.lines['model code'],
          systemLines: system,
          referenceAuc: monitoring?.reference.auc ?? null,
          servedWeekAuc: r?.realized.auc ?? null,
          challengerAuc: (rec?.metrics.challengerAuc as number | undefined) ?? null,
          championAuc: (rec?.metrics.championAuc as number | undefined) ?? null,
          requests: routed?.served.ok ?? 0,
          readyMs: serving?.readyMs ?? null,
          firstNotice: firstNotice ? STAGE_OF[firstNotice.name] : 'none',
        },
      };
    } finally {
      if (server) await (server as ModelServer).close();
      if (log) await (log as PredictionLog).close();
      rmSync(artifactsRoot, { recursive: true, force: true });
    }
  },
};

export default lab;
