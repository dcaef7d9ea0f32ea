/**
 * Lab `versioning` (Q18): three TF.js versions of the fraud model in the registry (content-addressed
 * artifacts, lineage, aliases with history) behind one running server that routes by a table kept in
 * Postgres, with its changes announced through Redis. Live traffic runs the whole time: 5% goes to v3 by a config change, an invalid change is
 * refused, a bad champion is rolled back by moving its alias, and every reply names the version that
 * answered. Then the registry's guarantees: a version cannot be registered twice with other content,
 * and an artifact changed on disk is refused. References: MLflow model registry aliases, KServe canary
 * traffic split.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, fmt, type LabDefinition, messageOf } from '@mlops-lab/labkit';
import {
  createServer,
  fromLoadedModel,
  type RoutingSource,
  registryRouting,
  type ServingModel,
} from '@mlops-lab/model-server';
import { paymentBodies } from '@mlops-lab/payments';
import { aliasHistory, listVersions, loadArtifact, setAlias, setRouting } from '@mlops-lab/registry';
import { type LoadedModel, loadModel, modelFromFiles, trainAndRegister } from '@mlops-lab/training';
import { BREAKS, CHECK } from './breaks.ts';
import { overwriteVersion2, tamperVersion1 } from './guarantees.ts';
import { PathAddressedStore } from './mutable-store.ts';
import { describeTable, type Served, share, startTraffic, unstickyUsers, waitForTable } from './traffic.ts';

const NAME = 'versioning-fraud';
const CANARY_PERCENT = 5;
/**
 * The longest wait for the server to show a new table. Loading and warming a version takes ~0.5 s on
 * an idle machine; this is a bound for a saturated one, not a speed claim (the time is printed).
 */
const TABLE_WAIT_MS = 30_000;

async function scores(model: ServingModel, bodies: object[]): Promise<Float32Array> {
  return model.predictBatch(bodies.map((b) => model.preprocess(b)));
}

const lab: LabDefinition = {
  name: 'versioning',
  title: 'Model versioning: immutable artifacts, aliases with history, traffic by configuration',
  questions: [18],
  needs: ['postgres', 'redis'],
  breaks: BREAKS,
  async run({ quick, seed, fault, services, out }) {
    const artifactsRoot = mkdtempSync(join(tmpdir(), 'lab-versioning-'));
    const mutable = new PathAddressedStore(join(artifactsRoot, 'by-path'));
    const loadVersion = async (version: number): Promise<LoadedModel> =>
      fault === 'mutable-artifact'
        ? modelFromFiles(mutable.get(NAME, version), { name: NAME, version, hash: '(none)' })
        : loadModel(services, `${NAME}@${version}`, { artifactsRoot });
    try {
      const trained = await out.step(
        'Train and register v1, v2, v3 (TF.js, later data for each)',
        async () => {
          const results = [];
          for (const v of [1, 2, 3]) {
            out.status(`training v${v} of 3`);
            const r = await trainAndRegister({
              services,
              name: NAME,
              seed: seed * 10 + v,
              size: quick ? 2000 : 6000,
              epochs: quick ? 3 : 8,
              artifactsRoot,
            });
            if (fault === 'mutable-artifact')
              mutable.put(NAME, r.version, await loadArtifact(r.hash, { root: artifactsRoot }));
            results.push(r);
          }
          return results;
        },
      );
      const versions = await listVersions(services.pg, NAME);
      out.table(
        ['version', 'artifact sha256', 'training data', 'code', 'holdout AUC'],
        versions.map((v) => [
          v.version,
          `${v.hash.slice(0, 12)}…`,
          v.dataRef.replace(/ start=\S+/, ''),
          v.codeVersion?.slice(0, 7) ?? 'unknown',
          fmt.num(v.metrics.auc ?? Number.NaN),
        ]),
      );
      await setAlias(
        services.pg,
        NAME,
        'champion',
        2,
        `v2 holdout AUC ${fmt.num(trained[1].metrics.auc ?? 0)}`,
      );
      await setRouting(services, NAME, { champion: 100 }, { reason: 'v2 takes all traffic', by: 'lab' });
      out.say(`champion -> v2; routing table (Postgres, revision noticed through Redis): { champion: 100 }`);
      out.pointer(
        'packages/registry/src/artifacts.ts',
        'artifacts addressed by the sha256 of their files, re-hashed on load',
      );

      // A replica of v2 loaded now: the reference a later replica must match.
      const firstReplica = fromLoadedModel(await loadVersion(2));
      const routing: RoutingSource = {
        ...registryRouting(services, NAME, { artifactsRoot, pollMs: 100, resolveEveryMs: 250 }),
        load: async (version) => fromLoadedModel(await loadVersion(Number(version))),
      };
      const server = createServer(
        fault === 'version-in-code'
          ? { model: fromLoadedModel(await loadVersion(2)), warmup: { batchSizes: [1, 8] } } // "fraud@2", in code
          : { routing, warmup: { batchSizes: [1, 8] } },
      );
      const url = await server.start();
      await server.ready;
      out.say(`server ${url} ready: ${describeTable(server.routes)}`);
      out.pointer(
        'packages/model-server/src/routing.ts',
        'the routed server: watch the table, load + warm a version, then route',
      );

      const n = quick ? 2000 : 6000;
      const traffic = startTraffic(url, seed, 8, 5000);
      let canary: Served[] = [];
      let after: Served[] = [];
      let refusal = '';
      let tableBeforeRefusal = '';
      let tableAfterRefusal = '';
      let change = { ms: 0, seen: false };
      let rollback = { ms: 0, seen: false };
      try {
        await out.step('Live traffic: 8 clients, 5,000 users, the user id as routing key', async () => {
          const before = await traffic.until(quick ? 300 : 1000, 0);
          out.say(`before the change: ${before.length} replies, ${fmt.pct(share(before, '2'))} from v2`);
        });

        await out.step(
          `Config change while serving: { champion: ${100 - CANARY_PERCENT}, "3": ${CANARY_PERCENT} }`,
          async () => {
            await setRouting(
              services,
              NAME,
              { champion: 100 - CANARY_PERCENT, '3': CANARY_PERCENT },
              { reason: `canary: v3 at ${CANARY_PERCENT}%`, by: 'lab' },
            );
            change = await waitForTable(url, (rows) => rows.some((r) => r.version === '3'), TABLE_WAIT_MS);
            out.say(
              change.seen
                ? `the server put it in force after ${fmt.ms(change.ms)} (v3 loaded and warmed first): ${describeTable(server.routes)}`
                : `after ${fmt.ms(change.ms)} the server still routes ${describeTable(server.routes)}`,
            );
            canary = await traffic.until(n, performance.now());
          },
        );
        out.table(
          ['version', 'replies', 'share'],
          ['1', '2', '3'].map((v) => [
            `v${v}`,
            canary.filter((s) => s.version === v).length,
            fmt.pct(share(canary, v)),
          ]),
        );

        tableBeforeRefusal = describeTable(server.routes);
        try {
          await setRouting(services, NAME, { champion: 90, '3': 5, '7': 5 }, { reason: 'typo', by: 'lab' });
          refusal = 'accepted';
        } catch (e) {
          refusal = messageOf(e);
        }
        await new Promise((r) => setTimeout(r, 300)); // three of the server's poll periods
        tableAfterRefusal = describeTable(server.routes);
        out.say(`an invalid table { champion: 90, "3": 5, "7": 5 }: ${refusal}`);

        await out.step(
          'Rollback: v2 misbehaves, champion moves back to v1 (the table is unchanged)',
          async () => {
            await setAlias(services.pg, NAME, 'champion', 1, 'rollback: v2 declines too many good payments');
            rollback = await waitForTable(
              url,
              (rows) => rows.some((r) => r.target === 'champion' && r.version === '1'),
              TABLE_WAIT_MS,
            );
            out.say(
              `${rollback.seen ? 'in force after' : 'not in force after'} ${fmt.ms(rollback.ms)}: ${describeTable(server.routes)}`,
            );
            after = await traffic.until(quick ? 500 : 1500, performance.now());
          },
        );
        const history = await aliasHistory(services.pg, NAME, 'champion');
        out.table(
          ['when', 'alias', 'from', 'to', 'why'],
          history.map((h) => [
            h.changedAt.toISOString().slice(11, 23),
            h.alias,
            h.fromVersion ?? '-',
            h.toVersion,
            h.reason,
          ]),
        );
        out.pointer('packages/registry/src/aliases.ts', 'setAlias: every move recorded with its reason');
      } finally {
        await traffic.stop();
        await server.close();
      }
      const failed = traffic.log.filter((s) => s.status !== 200).length;
      const sd = Math.sqrt((0.05 * 0.95) / Math.max(canary.length, 1));
      const v3 = share(canary, '3');

      // Registry guarantees: no second content for a version, no edited artifact loaded.
      out.step('Try to change version 2 after the fact');
      const overwrite = await overwriteVersion2({
        fault,
        services,
        mutable,
        name: NAME,
        v3Hash: trained[2].hash,
      });
      out.say(`register version 2 again with v3's content: ${overwrite}`);
      const probe = paymentBodies(seed + 99, 200);
      const laterReplica = fromLoadedModel(await loadVersion(2));
      const [a, b] = [await scores(firstReplica, probe), await scores(laterReplica, probe)];
      const maxDiff = Math.max(...a.map((x, i) => Math.abs(x - b[i])));
      out.say(
        `version 2, replica started first vs replica started now: max score difference ${maxDiff.toExponential(2)}`,
      );
      const tamper = await tamperVersion1({
        fault,
        mutable,
        name: NAME,
        artifactsRoot,
        v1Hash: trained[0].hash,
        loadMutable: loadVersion,
      });
      out.say(`v1 with one byte of weights.bin changed on disk: ${tamper}`);

      const byVersion = (log: Served[], v: string) => log.filter((s) => s.version === v).length;
      return {
        checks: [
          check(
            CHECK.split,
            Math.abs(v3 - 0.05) <= 5 * sd,
            `v3 answered ${byVersion(canary, '3')} of ${canary.length} (${fmt.pct(v3, 2)}; 5 sd = ${fmt.pct(5 * sd, 2)})`,
          ),
          check(
            CHECK.live,
            failed === 0 && traffic.log.length > 0,
            `${failed} of ${traffic.log.length} requests failed`,
          ),
          check(
            CHECK.sticky,
            unstickyUsers(canary) === 0 && unstickyUsers(after) === 0,
            `${unstickyUsers(canary) + unstickyUsers(after)} users saw two versions within one table`,
          ),
          check(
            CHECK.refused,
            refusal !== 'accepted' && tableAfterRefusal === tableBeforeRefusal,
            `${refusal}; in force: ${tableAfterRefusal}`,
          ),
          check(
            CHECK.rollback,
            byVersion(after, '2') === 0 && after.length > 0,
            `after the alias move: ${byVersion(after, '2')} of ${after.length} replies from v2`,
          ),
          check(CHECK.overwrite, overwrite.startsWith('refused'), overwrite),
          check(CHECK.pinned, maxDiff === 0, `max score difference ${maxDiff.toExponential(2)}`),
          check(CHECK.tamper, tamper.startsWith('refused'), tamper),
        ],
        metrics: {
          v3Share: Number(v3.toFixed(4)),
          canaryReplies: canary.length,
          changeSeenMs: change.seen ? Math.round(change.ms) : null,
          rollbackSeenMs: rollback.seen ? Math.round(rollback.ms) : null,
          failedRequests: failed,
          totalRequests: traffic.log.length,
        },
      };
    } finally {
      rmSync(artifactsRoot, { recursive: true, force: true });
    }
  },
};

export default lab;
