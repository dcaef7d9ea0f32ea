/**
 * Lab `ml-ci` (Q11, Q12): three gates between a change and a deploy.
 *
 * 1. Production: a fixed sample of payments in a versioned Postgres table, snapshotted; the
 *    production model trained on it and registered as champion; the sample's reference profile
 *    stored (packages/drift).
 * 2. A change arrives: a candidate spec (how the model is trained) and whatever upstream did to the
 *    table. CI snapshots the table as it is now (the same id when nothing changed).
 * 3. `ci:model`'s run: the code gate (golden, determinism, behaviour), the data gate (schema, nulls,
 *    ranges, categories, distribution, leakage) and the model gate (tiny training run, baseline,
 *    holdout vs production with intervals), all reported, exit 0 or 1.
 * Healthy, the change is good and passes; each `--break` is a bad change one gate must block.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePayments, mixSeed } from '@mlops-lab/datagen';
import { createSnapshot, datasetsMigrations, trackTable } from '@mlops-lab/datasets';
import { buildProfile, driftMigrations, loadProfile, saveProfile } from '@mlops-lab/drift';
import { type Check, check, type LabDefinition } from '@mlops-lab/labkit';
import {
  createPaymentsTable,
  type GateResult,
  insertPayments,
  loadModel,
  PAYMENTS_PROFILE_SCHEMA,
  runModelCi,
  snapshotEvents,
  trainFromSnapshot,
} from '@mlops-lab/training';
import { BREAKS, CHECK } from './breaks.ts';
import { candidateFor, changeUpstream } from './changes.ts';

const NAME = 'payments-fraud';
const START_MS = Date.UTC(2024, 0, 1);
const WEEK_MS = 7 * 86_400_000;

const lab: LabDefinition = {
  name: 'ml-ci',
  title: 'ML CI: code, data and model gates before a deploy',
  questions: [11, 12],
  needs: ['postgres'],
  breaks: BREAKS,
  async run({ quick, seed, fault, services, out }) {
    const z = quick ? { rows: 4000, epochs: 10 } : { rows: 20_000, epochs: 15 };
    const artifactsRoot = mkdtempSync(join(tmpdir(), 'lab-ml-ci-'));
    try {
      await services.migrate('datasets', datasetsMigrations);
      await services.migrate('drift', driftMigrations);
      const production = await out.step(
        `Production: a model trained on a snapshot of ${z.rows} payments`,
        async () => {
          const events = generatePayments({
            seed: mixSeed(seed, 'sample'),
            size: z.rows,
            start: START_MS,
            durationMs: WEEK_MS,
          });
          await createPaymentsTable(services.pg, 'payments');
          await insertPayments(services.pg, 'payments', events);
          await trackTable(services.pg, { table: 'payments', key: 'eventId' });
          const snap = await createSnapshot(services.pg, { table: 'payments' });
          const model = await trainFromSnapshot({
            services,
            name: NAME,
            seed,
            epochs: z.epochs,
            snapshot: snap.id,
            artifactsRoot,
          });
          await saveProfile(services.pg, 'payments-reference', buildProfile(events, PAYMENTS_PROFILE_SCHEMA));
          return { events, snap, model };
        },
      );
      out.say(
        `${NAME}@${production.model.version} (champion) on snapshot ${production.snap.id.slice(0, 12)}…: holdout AUC ${production.model.metrics.auc?.toFixed(3)}; reference profile stored`,
      );

      const candidate = candidateFor(fault);
      const change = await out.step('A change arrives; CI snapshots the table as it is now', async () => {
        // What changed upstream is not narrated: the report has to show it (and --mystery hides it).
        await changeUpstream(services, fault, production.events, seed);
        const snap = await createSnapshot(services.pg, { table: 'payments' });
        return { snap };
      });
      out.say(`candidate spec: ${JSON.stringify(candidate)}`);
      out.say(
        `CI sample: snapshot ${change.snap.id.slice(0, 12)}…` +
          (change.snap.id === production.snap.id
            ? ' (the same rows as production trained on)'
            : ' (other rows than production trained on)'),
      );

      const result = await out.step('Run ci:model: the code, data and model gates', async () => {
        const rows = await snapshotEvents(services, change.snap.id);
        const profile = await loadProfile(services.pg, 'payments-reference');
        const model = await loadModel(services, `${NAME}@champion`, { artifactsRoot, log: () => {} });
        try {
          return await runModelCi({
            rows,
            candidate,
            profile,
            production: { ...model, ref: `${NAME}@champion` },
          });
        } finally {
          model.dispose();
        }
      });
      for (const line of result.lines) out.say(line);
      const gate = (name: GateResult['gate']) => result.gates.find((g) => g.gate === name)!;
      const model = gate('model');
      // Every expectation gets its row, run or not, so the table reads the same whatever failed.
      const expectations = [
        'tiny training run',
        'baseline',
        'labels vs production',
        'holdout vs production',
        'accuracy',
      ];
      out.table(
        ['model expectation', 'result', 'detail'],
        expectations.map((e) => {
          const f = model.findings.find((x) => x.expectation === e);
          return [
            e,
            f ? (f.passed ? 'pass' : 'FAIL') : 'not run',
            f?.detail ?? 'the candidate could not be trained',
          ];
        }),
      );
      out.pointer('packages/training/src/ci/data-gate.ts', 'each data expectation and its threshold');
      out.pointer(
        'packages/training/src/ci/model-gate.ts',
        'why an interval, and why accuracy alone misses a worse model',
      );
      out.pointer(
        'packages/training/src/ci/code-gate.ts',
        'golden values from an independent reference, and the determinism test',
      );

      const summary = (g: GateResult) =>
        g.passed ? `${g.findings.length} expectations passed` : `${g.reasons.length} failed: ${g.reasons[0]}`;
      const checks: Check[] = [
        check(CHECK.code, gate('code').passed, summary(gate('code'))),
        check(CHECK.data, gate('data').passed, summary(gate('data'))),
        check(CHECK.model, model.passed, summary(model)),
        check(CHECK.exit, result.exitCode === 0, `exit ${result.exitCode}: ${result.lines.at(-1)}`),
      ];
      const m = model.metrics;
      return {
        checks,
        metrics: {
          rows: z.rows,
          productionAuc: production.model.metrics.auc,
          candidateAuc: m.candidate_auc ?? null,
          aucDelta: m.auc_delta ?? null,
          aucDeltaLow: m.auc_delta_low ?? null,
          candidateAccuracy: m.candidate_accuracy ?? null,
          productionAccuracy: m.production_accuracy ?? null,
          failedExpectations: result.gates.reduce((s, g) => s + g.reasons.length, 0),
          exitCode: result.exitCode,
        },
      };
    } finally {
      rmSync(artifactsRoot, { recursive: true, force: true });
    }
  },
};

export default lab;
