/**
 * Lab `serving` (Q16, Q17): a model behind an API, and the same model as a batch job.
 *
 * 1. Train a small TF.js fraud model, register it, load it back as a ServingModel.
 * 2. Start the real HTTP server (Fastify, micro-batching, warm-up-gated readiness) on loopback.
 * 3. Load run from a separate process: throughput, latency, the server's CPU per request, and the
 *    server's own stage histograms (preprocess / queue+inference / inference / postprocess).
 * 4. A flood of malformed bodies mixed with good ones: every reply judged, /metrics counts compared.
 * 5. The logged good requests re-scored by the training pipeline (offline) and compared.
 * 6. The same rows as a BullMQ batch job into Postgres: rows per CPU-second and wall time beside the
 *    online figures, and online vs batch scores compared row by row.
 * References: TF Serving / Triton (warm-up, dynamic batching), KServe probes, BullMQ.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, fmt, type LabDefinition, timed } from '@mlops-lab/labkit';
import { createServer } from '@mlops-lab/model-server';
import { paymentBodies } from '@mlops-lab/payments';
import { loadModel, trainAndRegister } from '@mlops-lab/training';
import { runBatchJob } from './batch.ts';
import { BREAKS, CHECK } from './breaks.ts';
import { compareOffline, runFlood, statusOf } from './judge.ts';
import { printLoad, printSideBySide, snapshot } from './report.ts';
import { loadRun, malformedBodies, sendAll } from './traffic.ts';
import { servingModelFor } from './variants.ts';

const MODEL = 'payments-fraud';

const lab: LabDefinition = {
  name: 'serving',
  title: 'A model behind an API: where time goes, real-time vs batch',
  questions: [16, 17],
  needs: ['postgres', 'redis'],
  breaks: BREAKS,
  async run({ quick, seed, fault, services, out }) {
    const size = {
      seconds: quick ? 2 : 6,
      connections: 32,
      flood: quick ? 240 : 900, // good requests in the flood, and as many malformed ones
      extraBatchRows: quick ? 3000 : 20_000,
    };
    const artifactsRoot = mkdtempSync(join(tmpdir(), 'lab-serving-'));
    const server = { close: async () => {} };
    try {
      const trained = await out.step('Train and register the fraud model (TF.js)', () =>
        trainAndRegister({ services, name: MODEL, seed, size: 3000, epochs: 10, artifactsRoot }),
      );
      out.say(
        `${MODEL}@${trained.version}: ${trained.metrics.trainRows} training rows, holdout AUC ` +
          `${fmt.num(trained.metrics.auc ?? Number.NaN)}, TF.js backend ${trained.backend}, artifact ${trained.hash.slice(0, 12)}`,
      );
      // Serving and the "offline" training pipeline each load the artifact from the registry.
      const { result: loaded, ms: loadMs } = await timed(() =>
        loadModel(services, `${MODEL}@champion`, { artifactsRoot }),
      );
      const offline = await loadModel(services, `${MODEL}@champion`, { artifactsRoot });
      const model = servingModelFor(fault, loaded);

      const s = createServer({
        model,
        host: '127.0.0.1',
        port: 0,
        batching: { maxBatch: 32, maxWaitMs: 2 },
        cache: { enabled: false },
        dedup: false,
      });
      server.close = () => s.close();
      const url = await out.step('Start the server: listen, warm up, then ready', async () => {
        const u = await s.start();
        await s.ready;
        return u;
      });
      const gauge = async (g: { get(): Promise<{ values: { value: number }[] }> }) =>
        ((await g.get()).values[0]?.value ?? Number.NaN) * 1000;
      out.say(
        `${url}: model resolved in the registry, hash-verified and rebuilt in ${fmt.ms(loadMs)}, warmed up in ` +
          `${fmt.ms(await gauge(s.metrics.warmupSeconds))}; /readyz answered 200 only after that`,
      );
      const sample = paymentBodies(seed + 1, 512);
      const [one, bad] = await sendAll(
        url,
        [JSON.stringify(sample[0]), JSON.stringify({ ...sample[0], amount: '80.5' })],
        1,
      );
      // The bodies go below the table: a JSON document in a cell makes a table wider than any terminal.
      out.table(
        ['request', 'status', 'reply'],
        [
          ['a payment (request 1 below)', one.status, 'reply 1 below'],
          ['the same with "amount": "80.5"', bad.status, 'reply 2 below'],
        ],
      );
      out.say(`request 1: ${JSON.stringify(sample[0])}`);
      out.say(`reply 1:   ${JSON.stringify(one.body)}`);
      out.say(`reply 2:   ${JSON.stringify(bad.body)}`);
      out.pointer(
        'packages/model-server/src/server.ts',
        'the request path: schema -> preprocess -> micro-batch -> postprocess, timed per stage',
      );
      out.pointer(
        'packages/model-server/src/model.ts',
        'the ServingModel contract the server, batcher and batch job share',
      );

      // 3. Load from another process, so this process's CPU is the server's alone.
      const before = await snapshot(s.metrics);
      const load = await out.step(
        `Load run: ${size.connections} connections for ${size.seconds} s (load generator, child process)`,
        () =>
          loadRun(
            url,
            sample.map((b) => JSON.stringify(b)),
            size.connections,
            size.seconds,
          ),
      );
      const stages = await snapshot(s.metrics);
      const served = load.ok;
      const cpu = printLoad(out, before, stages, load);
      out.pointer(
        'packages/model-server/src/tf-adapter.ts',
        "registry model -> ServingModel: preprocess is training's own transform",
      );

      // 4. Malformed requests mixed with good ones; every reply judged.
      const good = paymentBodies(seed + 2, size.flood);
      const badReqs = malformedBodies(good, size.flood);
      const flood = await runFlood(out, url, good, badReqs);
      const { goodReplies, badReplies, refused, metricDelta, serverErrors } = flood;
      const servedScores = goodReplies.map((r) =>
        typeof r.body?.score === 'number' ? r.body.score : Number.NaN,
      );
      const { maxDiff, flipped } = await compareOffline(out, offline, good, servedScores);

      // 6. Batch: the same good rows first (ids 1..n), the JSON-valid malformed ones, then more payments.
      const badJson = badReqs.filter((b) => b.json);
      const extra = paymentBodies(seed + 3, size.extraBatchRows);
      const inputs = [
        ...good.map((b) => JSON.stringify(b)),
        ...badJson.map((b) => b.body),
        ...extra.map((b) => JSON.stringify(b)),
      ];
      const batch = await out.step(
        `Batch job: ${inputs.length} rows in Postgres, scored as BullMQ jobs`,
        () => runBatchJob(services, model, inputs, 500, (text) => out.status(text)),
      );
      out.pointer(
        'packages/model-server/src/batch-job.ts',
        'chunk planning, one predictBatch per chunk, one UPDATE per chunk',
      );
      const batchGood = batch.rows.slice(0, good.length);
      const batchBad = batch.rows.slice(good.length, good.length + badJson.length);
      const batchExtra = batch.rows.slice(good.length + badJson.length);
      const mismatched = batchGood.filter(
        (r, i) => r.score === null || Math.fround(r.score) !== Math.fround(servedScores[i]),
      ).length;
      const validScored = [...batchGood, ...batchExtra].filter(
        (r) => r.score !== null && Number.isFinite(r.score) && r.error === null,
      ).length;
      const badFlagged = batchBad.filter((r) => r.score === null && r.error !== null).length;
      const batchRows = batch.rows.length;
      printSideBySide(out, load, cpu.modelPerReqMs, batch);
      out.say(
        `Postgres here: ${services.backends.postgres?.kind ?? '?'}` +
          (services.backends.postgres?.kind === 'embedded'
            ? ' (PGlite runs in this process, so its work is in the batch CPU)'
            : ' (its server CPU is not in the batch figure)') +
          '. Online CPU excludes the load generator (other process).',
      );

      const checks = [
        check(
          CHECK.loadOk,
          load.requests > 0 && load.non2xx === 0 && load.errors === 0,
          `${load.ok} x 200, ${load.non2xx} non-2xx, ${load.errors} errors, ${load.timeouts} timeouts`,
        ),
        check(
          CHECK.metricsMatch,
          metricDelta.every((d) => d.server === d.client),
          metricDelta.map((d) => `${d.status}: server ${d.server} / clients ${d.client}`).join(', '),
        ),
        check(
          CHECK.goodDuringFlood,
          goodReplies.every((r) => r.status === 200),
          `${goodReplies.filter((r) => r.status === 200).length} of ${goodReplies.length}`,
        ),
        check(
          CHECK.badRefused,
          refused === badReplies.length,
          `${refused} of ${badReplies.length} answered 400 with the expected field and a reason (${statusOf(badReplies)})`,
        ),
        check(
          CHECK.noServerErrors,
          serverErrors === 0,
          `${serverErrors} replies with status 5xx since start`,
        ),
        check(
          CHECK.servedMatchesOffline,
          maxDiff === 0 && flipped === 0,
          `max |served - offline| = ${fmt.num(maxDiff)}, ${flipped} of ${good.length} decisions changed`,
        ),
        check(
          CHECK.onlineEqualsBatch,
          mismatched === 0,
          `${mismatched} of ${good.length} rows differ (float32 compare)`,
        ),
        check(
          CHECK.batchComplete,
          validScored === good.length + extra.length && badFlagged === badJson.length,
          `${validScored} of ${good.length + extra.length} valid rows scored, ${badFlagged} of ${badJson.length} malformed rows flagged with an error`,
        ),
      ];
      return {
        checks,
        metrics: {
          backend: trained.backend,
          onlineRequests: served,
          onlineRps: served / (load.wallMs / 1000),
          onlineP50Ms: load.p50,
          onlineP99Ms: load.p99,
          onlineRequestsPerCpuSecond: served / (load.serverCpuMs / 1000),
          serverCpuUsPerRequest: cpu.cpuPerReqMs * 1000,
          meanBatch: stages.meanBatch,
          batchRows: batchRows,
          batchWallMs: batch.wallMs,
          batchRowsPerCpuSecond: batchRows / (batch.cpuMs / 1000),
          malformedRefused: refused,
          servedVsOfflineMaxDiff: maxDiff,
          decisionsChanged: flipped,
        },
      };
    } finally {
      await server.close();
      rmSync(artifactsRoot, { recursive: true, force: true });
    }
  },
};

export default lab;
