/**
 * Lab `data-versioning` (Q13): a training run pinned to its exact data, and reproduced.
 *
 * 1. A week of payments goes into a Postgres table whose every write is versioned.
 * 2. A content-addressed snapshot of it is the training set; the model registered from it records
 *    `snapshot:<sha256>` as its data spec.
 * 3. The table moves on (new payments, late chargebacks, erasures); the snapshot's diff names them.
 * 4. The model is retrained from its data spec: the snapshot verifies, reads back byte for byte,
 *    and training (seeded, single-threaded, fixed order) gives the same artifact hash.
 * 5. What breaks reproduction: another seed; and garbage collection keeps the pinned snapshot.
 * `--break mutated-history` rewrites past rows in place; `--break unpinned-data` retrains on "latest".
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePayments, mixSeed, type PaymentEvent } from '@mlops-lab/datagen';
import {
  collectGarbage,
  createSnapshot,
  DatasetError,
  datasetsMigrations,
  describeMismatch,
  diffSnapshots,
  readSnapshot,
  sortRows,
  trackTable,
  verifySnapshot,
} from '@mlops-lab/datasets';
import { type Check, check, fmt, type LabDefinition } from '@mlops-lab/labkit';
import { TRANSFORM_VERSION } from '@mlops-lab/payments';
import { getVersion, loadArtifact, pinnedSnapshots, snapshotOfDataRef } from '@mlops-lab/registry';
import {
  createPaymentsTable,
  insertPayments,
  PAYMENTS_ORDER,
  type TrainResult,
  trainAndRegister,
  trainFromSnapshot,
} from '@mlops-lab/training';
import { BREAKS, CHECK } from './breaks.ts';
import { DAY_MS, moveOn, rewriteHistory, START_MS } from './world.ts';

const NAME = 'payments-fraud';
/** What the training set was built with, hashed into the snapshot id beside the rows. */
const DEFINITIONS = {
  table: 'payments',
  order: PAYMENTS_ORDER,
  transformVersion: TRANSFORM_VERSION,
  holdout: 'latest 25%',
};

const short = (h: string) => h.slice(0, 12);

const lab: LabDefinition = {
  name: 'data-versioning',
  title: 'Data versioning: a training run pinned to its exact data, and reproduced',
  questions: [13],
  needs: ['postgres'],
  breaks: BREAKS,
  async run({ quick, seed, fault, services, out }) {
    const z = quick ? { rows: 3000, epochs: 8 } : { rows: 20_000, epochs: 15 };
    const artifactsRoot = mkdtempSync(join(tmpdir(), 'lab-data-versioning-'));
    /** Every training run of the lab is set up alike: only the data (and, once, the seed) differ. */
    const training = { services, name: NAME, seed, epochs: z.epochs, artifactsRoot };
    const weightsOf = async (hash: string) =>
      createHash('sha256')
        .update((await loadArtifact(hash, { root: artifactsRoot }))['weights.bin'])
        .digest('hex');
    try {
      await services.migrate('datasets', datasetsMigrations);
      await out.step(
        `Load a week of payments (${z.rows} rows) into Postgres and version every write`,
        async () => {
          await createPaymentsTable(services.pg, 'payments');
          await insertPayments(
            services.pg,
            'payments',
            generatePayments({
              seed: mixSeed(seed, 'week'),
              size: z.rows,
              start: START_MS,
              durationMs: 7 * DAY_MS,
            }),
          );
          await trackTable(services.pg, { table: 'payments', key: 'eventId' });
        },
      );
      out.pointer(
        'packages/datasets/src/history.ts',
        'the trigger that versions every insert, update and delete',
      );

      const first = await out.step('Snapshot the training set and train the model on it', async () => {
        const snap = await createSnapshot(services.pg, { table: 'payments', definitions: DEFINITIONS });
        const again = await createSnapshot(services.pg, { table: 'payments', definitions: DEFINITIONS });
        const rows = JSON.stringify(await readSnapshot(services.pg, snap.id, { orderBy: PAYMENTS_ORDER }));
        const model = await trainFromSnapshot({ ...training, snapshot: snap.id });
        return { snap, again, rows, model, weights: await weightsOf(model.hash) };
      });
      const { snap, model } = first;
      const spec = (await getVersion(services.pg, NAME, model.version)).dataRef;
      out.say(
        `snapshot ${short(snap.id)}…: ${snap.rowCount} rows in ${snap.chunks} chunks; taken again: ${short(first.again.id)}… (${first.again.created ? 'new' : 'the same snapshot'})`,
      );
      out.say(
        `${NAME}@${model.version}: data spec ${spec.slice(0, 21)}…, artifact ${short(model.hash)}, weights sha256 ${short(first.weights)}, AUC ${model.metrics.auc?.toFixed(3)}, backend ${model.backend}`,
      );
      out.pointer(
        'packages/datasets/src/snapshot.ts',
        'the Merkle root over canonically hashed rows that is the snapshot id',
      );

      const moved = await out.step(
        'The table moves on: a day of new payments, late chargebacks, erasures',
        async () => {
          const changes = await moveOn(services, seed, z.rows);
          if (fault === 'mutated-history') await rewriteHistory(services, snap.id, 5);
          const latest = await createSnapshot(services.pg, { table: 'payments', definitions: DEFINITIONS });
          const diff = await diffSnapshots(services.pg, snap.id, latest.id);
          const sizes = (
            await services.pg.query(
              `SELECT (SELECT count(*) FROM payments)::int AS current, (SELECT count(*) FROM payments__history)::int AS versions`,
            )
          ).rows[0];
          return { changes, latest, diff, sizes };
        },
      );
      const { changes, diff } = moved;
      const inSnap = new Set((JSON.parse(first.rows) as PaymentEvent[]).map((r) => r.eventId));
      const deleted = new Set(changes.deleted);
      const expected = {
        added: changes.inserted.filter((k) => !deleted.has(k)).length,
        removed: changes.deleted.filter((k) => inSnap.has(k)).length,
        changed: changes.relabelled.filter((k) => !deleted.has(k)).length,
      };
      const count = (c: string) => diff.filter((d) => d.change === c).length;
      out.table(
        ['change', 'applied to the table', 'diff of the two snapshots (one query)'],
        [
          ['inserted (new day)', changes.inserted.length, `${count('added')} added`],
          ['relabelled (chargebacks)', changes.relabelled.length, `${count('changed')} changed`],
          ['deleted (erasure)', changes.deleted.length, `${count('removed')} removed`],
        ],
      );
      out.say(
        `history: ${moved.sizes.versions} versions for ${moved.sizes.current} current rows (+${fmt.pct(moved.sizes.versions / moved.sizes.current - 1)} to keep every snapshot readable)`,
      );

      const rerun = await out.step(`Retrain from ${NAME}@${model.version}'s data spec`, async () => {
        const id = snapshotOfDataRef(spec);
        if (!id) throw new Error(`data spec ${spec} names no snapshot`);
        const verification = await verifySnapshot(services.pg, id);
        const asOf = JSON.stringify(
          await readSnapshot(services.pg, id, { orderBy: PAYMENTS_ORDER, verify: false }),
        );
        let result: TrainResult | null = null;
        let refused = '';
        try {
          if (fault === 'unpinned-data') {
            // The fault: the retrain reads the table as it is now instead of the pinned snapshot.
            const latest = sortRows(
              (await services.pg.query('SELECT to_jsonb(p) AS r FROM payments p')).rows.map((x) => x.r),
              PAYMENTS_ORDER,
            );
            result = await trainAndRegister({
              ...training,
              events: latest as unknown as PaymentEvent[],
              dataRef: 'table:payments (latest)',
            });
          } else {
            result = await trainFromSnapshot({ ...training, snapshot: id });
          }
        } catch (error) {
          if (!(error instanceof DatasetError)) throw error;
          refused = error.message;
        }
        return { verification, asOf, result, refused, weights: result ? await weightsOf(result.hash) : null };
      });
      const again = rerun.result;
      if (!rerun.verification.ok) out.say(`✘ ${describeMismatch(rerun.verification)}`);
      if (rerun.refused)
        out.say(
          'retrain refused: training on rows that are not the snapshot would register a model with a false data spec',
        );
      const row = (label: string, r: TrainResult | null, w: string | null, data: string) => [
        label,
        data,
        r ? `${NAME}@${r.version}${r.reused ? ' (reused)' : ''}` : '-',
        r?.metrics.auc?.toFixed(4) ?? '-',
        r ? short(r.hash) : '-',
        w ? short(w) : '-',
      ];
      out.table(
        ['run', 'data', 'version', 'holdout AUC', 'artifact', 'weights sha256'],
        [
          row('first', model, first.weights, `snapshot ${snap.id.slice(0, 8)}`),
          row(
            'retrain',
            again,
            rerun.weights,
            fault === 'unpinned-data' ? 'table, latest' : `snapshot ${snap.id.slice(0, 8)}`,
          ),
        ],
      );

      const other = await out.step(
        'What breaks reproduction: the same snapshot with another seed',
        async () =>
          rerun.verification.ok
            ? trainFromSnapshot({ ...training, name: `${NAME}-seed`, seed: seed + 1, snapshot: snap.id })
            : null,
      );
      out.say(
        other
          ? `seed ${seed + 1}: artifact ${short(other.hash)}, AUC ${other.metrics.auc?.toFixed(4)} (seed ${seed}: ${short(model.hash)}); ` +
              `the backend is recorded with the model: ${model.backend}`
          : 'not trained: the snapshot does not verify',
      );

      const gc = await out.step(
        'Garbage-collect history older than now, keeping what registered models pin',
        async () => {
          const pinned = await pinnedSnapshots(services.pg);
          const collected = await collectGarbage(services.pg, {
            table: 'payments',
            before: new Date(Date.now() + 1000),
            pinned,
          });
          let readable = false;
          try {
            readable = (await readSnapshot(services.pg, snap.id, { verify: false })).length === snap.rowCount;
          } catch (error) {
            if (!(error instanceof DatasetError)) throw error;
          }
          return { pinned, collected, readable };
        },
      );
      out.say(
        `pinned by the registry: ${gc.pinned.map(short).join(', ')}; collected ${gc.collected.snapshots} snapshot(s) and ${gc.collected.versions} old versions`,
      );
      out.pointer(
        'packages/datasets/src/gc.ts',
        'why pinned snapshots survive when Delta and Iceberg would expire them by age',
      );

      const checks: Check[] = [
        check(
          CHECK.contentAddressed,
          first.again.id === snap.id && !first.again.created,
          `${short(snap.id)} twice`,
        ),
        check(
          CHECK.asOfExact,
          rerun.asOf === first.rows,
          rerun.asOf === first.rows
            ? `${snap.rowCount} rows, ${first.rows.length} bytes identical`
            : 'the rows read back differ from those trained on',
        ),
        check(
          CHECK.verifies,
          rerun.verification.ok,
          rerun.verification.ok
            ? `root recomputed: ${short(rerun.verification.recomputed)}`
            : `${rerun.verification.rewrittenRows.length} row(s) rewritten: ${rerun.verification.rewrittenRows
                .map((r) => r.key)
                .slice(0, 3)
                .join(', ')}`,
        ),
        check(
          CHECK.reproduced,
          again !== null && again.hash === model.hash && rerun.weights === first.weights,
          again
            ? `artifact ${short(again.hash)} vs ${short(model.hash)}, AUC ${again.metrics.auc?.toFixed(4)} vs ${model.metrics.auc?.toFixed(4)}`
            : 'no retrain: the snapshot was refused',
        ),
        check(
          CHECK.diffExact,
          count('added') === expected.added &&
            count('removed') === expected.removed &&
            count('changed') === expected.changed,
          `added ${count('added')}/${expected.added}, removed ${count('removed')}/${expected.removed}, changed ${count('changed')}/${expected.changed}`,
        ),
        check(
          CHECK.pinnedSurvives,
          gc.readable && gc.pinned.includes(snap.id),
          gc.readable ? `${short(snap.id)} still reads ${snap.rowCount} rows` : 'the pinned snapshot is gone',
        ),
      ];
      return {
        checks,
        metrics: {
          rows: snap.rowCount,
          chunks: snap.chunks,
          snapshot: snap.id,
          artifactFirst: model.hash,
          artifactRetrain: again?.hash ?? null,
          aucFirst: model.metrics.auc,
          aucRetrain: again?.metrics.auc ?? null,
          historyOverhead: moved.sizes.versions / moved.sizes.current - 1,
          backend: model.backend,
        },
      };
    } finally {
      rmSync(artifactsRoot, { recursive: true, force: true });
    }
  },
};

export default lab;
