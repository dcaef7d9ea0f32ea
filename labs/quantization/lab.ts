/**
 * Lab `quantization` (Q33): the weights of two real TF.js models of the project, the payments fraud
 * MLP and a ~0.8M-weight topic classifier on the corpus embeddings, quantized to fp16, int8 per tensor
 * and per channel, int4 per tensor and per group of 32 and 128, symmetric and asymmetric; each
 * quantized artifact is its own registry version, and each is measured against fp32 in the same run:
 * bytes on disk, load time, latency at batch 1 and 64, holdout quality and agreement of decisions. One quantized version is
 * served by the model server. Then the memory arithmetic of a 70B model across GPUs, from formulas.
 * What is and is not sped up: TF.js has no integer kernels, so weights are dequantized at load and
 * the compute is fp32; only the files shrink. References: tfjs-converter's weight quantization
 * (dequantized in tf.io.decodeWeights), LLM.int8() (outliers), GPTQ / AWQ (int4 with group scales).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePayments } from '@mlops-lab/datagen';
import { check, fmt, type LabDefinition } from '@mlops-lab/labkit';
import { loadArtifact, putArtifact, registerModel } from '@mlops-lab/registry';
import {
  loadModel,
  loadTf,
  registerQuantized,
  type TensorReport,
  type TfHandle,
  trainAndRegister,
} from '@mlops-lab/training';
import { BREAKS, CHECK, LIMITS } from './breaks.ts';
import { CORPUS_MODEL, loadCorpusModel, trainCorpusModel } from './corpus-model.ts';
import { CONTROL, type Measured, measureVersions, type Version } from './measure.ts';
import { BATCH, CONTEXT, memoryTable } from './memory.ts';
import { withOutlierChannel } from './outlier.ts';
import { corpusQuality, paymentsQuality, type Quality } from './quality.ts';
import { serveQuantized } from './serve.ts';
import { d4, qualityTable, SPREAD_HEADERS, sizeTable, spreadRows } from './tables.ts';

export const GROUP = 128;
export const SCHEMES = [
  'fp16',
  'int8-tensor-sym',
  'int8-tensor-asym',
  'int8-channel-sym',
  'int8-channel-asym',
  // int4 with one scale per tensor and with smaller groups: what the group size buys and costs.
  'int4-tensor-sym',
  'int4-g32-sym',
  `int4-g${GROUP}-sym`,
  `int4-g${GROUP}-asym`,
] as const;
const PAYMENTS = 'payments-fraud';
const START = Date.UTC(2024, 0, 1);

/** Registers every scheme of `from` as its own version; returns the fp32 version first. */
async function quantizeAll(
  services: Parameters<typeof registerQuantized>[0],
  from: { name: string; version: number; hash: string },
  artifactsRoot: string,
): Promise<Version[]> {
  const out: Version[] = [
    { label: 'fp32', ref: `${from.name}@${from.version}`, hash: from.hash, report: null },
  ];
  for (const scheme of SCHEMES) {
    const q = await registerQuantized(services, {
      from: `${from.name}@${from.version}`,
      scheme,
      artifactsRoot,
    });
    out.push({ label: scheme, ref: `${q.name}@${q.version}`, hash: q.hash, report: q.report });
  }
  return out;
}

const byLabel = <T>(ms: Measured[], xs: T[], label: string): T => xs[ms.findIndex((m) => m.label === label)];
const ratioOf = (ms: Measured[], label: string) =>
  ms[0].weightFileBytes / ms[ms.findIndex((m) => m.label === label)].weightFileBytes;

const lab: LabDefinition = {
  name: 'quantization',
  title: 'int8 / int4 weights of real models: size, load, latency, quality; the memory of a 70B model',
  questions: [33],
  needs: ['postgres'],
  breaks: BREAKS,
  async run({ quick, seed, fault, services, out }) {
    const artifactsRoot = mkdtempSync(join(tmpdir(), 'lab-quantization-'));
    try {
      const handle: TfHandle = await loadTf({ log: (l) => out.say(l) });
      const size = quick ? 3000 : 8000;
      const events = generatePayments({ seed, size, start: START, durationMs: 7 * 86_400_000 });
      const trained = await out.step('Train the payments fraud model (TF.js) and register it', () =>
        trainAndRegister({
          services,
          name: PAYMENTS,
          seed,
          events,
          dataRef: `datagen:payments seed=${seed} size=${size} start=${new Date(START).toISOString()}`,
          epochs: quick ? 6 : 15,
          artifactsRoot,
          log: () => {},
        }),
      );
      let base = { name: PAYMENTS, version: trained.version, hash: trained.hash };
      let files = await loadArtifact(trained.hash, { root: artifactsRoot });
      if (fault === 'per-tensor-outlier') {
        const changed = withOutlierChannel(files, 100);
        const { hash } = await putArtifact(changed.files, { root: artifactsRoot });
        const v = await registerModel(services.pg, {
          name: PAYMENTS,
          hash,
          dataRef: `${PAYMENTS}@${trained.version}`,
        });
        base = { name: PAYMENTS, version: v.version, hash };
        files = changed.files;
      }
      // The same cut trainAndRegister makes (buildTrainingSet: the latest quarter is the holdout).
      const holdout = events.slice(Math.floor(events.length * 0.75));
      const labels = holdout.map((e) => e.label);
      const fp32Model = await loadModel(services, `${PAYMENTS}@${base.version}`, {
        artifactsRoot,
        log: () => {},
      });
      const rows = holdout.map((e) => fp32Model.preprocess(e));
      fp32Model.dispose();
      out.say(
        `fp32 baseline ${PAYMENTS}@${base.version}: ${fmt.count(trained.metrics.trainRows)} training rows, ` +
          `holdout ${holdout.length} rows (the latest quarter), TF.js backend ${handle.backend}. Its weights ` +
          '(kernels with 64+ weights are quantized; biases and the 8-weight output kernel stay fp32), in units of the median |w|:',
      );
      out.table(SPREAD_HEADERS, spreadRows(files));

      const corpus = await out.step(
        'Train the bigger model: a topic MLP on the corpus embeddings, and register it',
        () =>
          trainCorpusModel(handle, services, {
            seed,
            documents: quick ? 400 : 2000,
            epochs: quick ? 1 : 2,
            artifactsRoot,
          }),
      );
      out.say(
        `${CORPUS_MODEL}@${corpus.version}: 256 -> 1024 -> 512 -> 12, ${fmt.count(corpus.weights)} weights, ` +
          `${corpus.trainRows} training documents, holdout accuracy ${corpus.accuracy.toFixed(3)} ` +
          `(${corpus.holdoutLabels.length} documents). Its kernels, in the same units:`,
      );
      out.table(SPREAD_HEADERS, spreadRows(await loadArtifact(corpus.hash, { root: artifactsRoot })));

      const [pVersions, cVersions] = await out.step(
        `Quantize both with ${SCHEMES.length} schemes; register each as its own version`,
        async () => [
          await quantizeAll(services, base, artifactsRoot),
          await quantizeAll(
            services,
            { name: CORPUS_MODEL, version: corpus.version, hash: corpus.hash },
            artifactsRoot,
          ),
        ],
      );
      out.say(
        `${PAYMENTS}: versions ${pVersions.map((v) => v.ref.split('@')[1]).join(', ')}; ${CORPUS_MODEL}: ` +
          `${cVersions.map((v) => v.ref.split('@')[1]).join(', ')} (fp32 first, then ${SCHEMES.join(', ')}). ` +
          'Every load below goes through the registry: resolve, read, re-hash, dequantize, rebuild.',
      );

      const loads = quick ? 2 : 5;
      const rounds = quick ? 8 : 40;
      const pRun = await out.step(`Measure ${PAYMENTS}: every version against fp32, interleaved`, () =>
        measureVersions(
          handle,
          pVersions,
          (ref) => loadModel(services, ref, { artifactsRoot, log: () => {} }),
          rows,
          { loads, rounds, artifactsRoot },
        ),
      );
      const pMeasured = pRun.measured;
      sizeTable(out, pMeasured, pRun.control);
      const pQuality = pMeasured.map((m) => paymentsQuality(m.scores, pMeasured[0].scores, labels));
      qualityTable(out, pMeasured, pQuality, 'AUC', 'same decisions');

      const cRun = await out.step(`Measure ${CORPUS_MODEL}: every version against fp32, interleaved`, () =>
        measureVersions(
          handle,
          cVersions,
          (ref) => loadCorpusModel(handle, services, ref, artifactsRoot),
          corpus.xHoldout,
          {
            loads,
            rounds,
            artifactsRoot,
          },
        ),
      );
      const cMeasured = cRun.measured;
      sizeTable(out, cMeasured, cRun.control);
      const cQuality = cMeasured.map((m) =>
        corpusQuality(m.scores, cMeasured[0].scores, corpus.holdoutLabels),
      );
      qualityTable(out, cMeasured, cQuality, 'accuracy', 'same topic');

      const perTensor = byLabel(pMeasured, pQuality, 'int8-tensor-sym');
      const perChannel = byLabel(pMeasured, pQuality, 'int8-channel-sym');
      const lossRatio = perTensor.meanAbsDelta / perChannel.meanAbsDelta;
      const qLoads = cMeasured.slice(1).map((m) => m.loadMs);
      const b64 = cMeasured.slice(1).map((m) => m.b64Ms / cMeasured[0].b64Ms);
      const noise = cRun.control.b64Ms / cMeasured[0].b64Ms;
      out.say(
        `On the payments model int8 per tensor moves the scores by ${perTensor.meanAbsDelta.toExponential(2)} on average, ` +
          `per channel by ${perChannel.meanAbsDelta.toExponential(2)}: ${fmt.ratio(lossRatio)} as much. ` +
          `On ${CORPUS_MODEL} the files shrink ${fmt.ratio(ratioOf(cMeasured, 'int8-channel-sym'), 2)} (int8) and ` +
          `${fmt.ratio(ratioOf(cMeasured, `int4-g${GROUP}-sym`), 2)} (int4), but the quantized versions load in ` +
          `${fmt.ms(Math.min(...qLoads))} to ${fmt.ms(Math.max(...qLoads))} against fp32's ${fmt.ms(cMeasured[0].loadMs)} ` +
          'and run batch 64 at ' +
          `${fmt.ratio(Math.min(...b64), 2)} to ${fmt.ratio(Math.max(...b64), 2)} of fp32's time, while fp32 itself, ` +
          `loaded and timed again ("${CONTROL}"), ran at ${fmt.ratio(noise, 2)}: that spread is the machine's, not the ` +
          'scheme’s. TF.js has no int8 or int4 ' +
          'kernels, so every scheme is dequantized to float32 at load (the part in brackets, in JavaScript) and runs ' +
          'the same fp32 matmuls on the same bytes ("TF.js holds"). What shrinks is the file a server downloads and ' +
          'the registry stores; integer compute needs int8 kernels (ONNX Runtime, TensorRT, llama.cpp).',
      );
      out.pointer(
        'packages/training/src/quantize/tensor.ts',
        'the quantizers: groups, scales rounded up to fp16, packing',
      );
      out.pointer(
        'packages/training/src/quantize/artifact.ts',
        'the quantized artifact and where it is dequantized',
      );

      const pInt8 = pVersions.find((v) => v.label === 'int8-channel-sym') as Version;
      const served = await out.step(`Serve ${pInt8.ref} (int8-channel-sym) through the model server`, () =>
        serveQuantized(services, pInt8.ref, holdout.slice(0, quick ? 64 : 256), artifactsRoot),
      );
      out.say(
        `${served.ok} of ${served.requests} /predict replies 200, ${served.wrongVersion} naming another version; ` +
          `largest |reply - in-process score| ${served.maxDelta.toExponential(1)}; decisions ` +
          `${Object.entries(served.decisions)
            .map(([d, n]) => `${d} ${n}`)
            .join(', ')}.`,
      );

      out.step(
        `The memory of Llama-2-70B: weights by format, KV for ${BATCH} requests of ${CONTEXT} tokens, GPUs`,
      );
      const mem = memoryTable();
      out.table(mem.headers, mem.rows);
      out.say(
        `KV per token 2 · 80 layers · 8 KV heads · 128 · 2 bytes = ${mem.facts.kvBytesPerToken / 1024} KiB; per ` +
          `${CONTEXT}-token request ${(mem.facts.kvBytesPerRequest / 2 ** 30).toFixed(2)} GiB. GPUs = ceil((weights + KV) / ` +
          '(0.9 · HBM - 2 GiB of activations)); tensor parallelism needs a degree that divides the 64 heads. ' +
          'Weight-only quantization leaves the KV cache in fp16: at long contexts and large batches KV, not weights, ' +
          'sets the GPU count.',
      );
      out.pointer('packages/llm-serving/src/memory-plan.ts', 'the formulas, with hand-computed tests');

      const reports = [...pVersions, ...cVersions].flatMap((v) => v.report ?? []);
      const worstBound = Math.max(...reports.map((t: TensorReport) => t.maxErrorOverHalfScale ?? 0));
      const quantized = reports.filter((t) => t.maxErrorOverHalfScale !== null).length;
      const all = [...pMeasured, ...cMeasured];
      const schemeOk = await Promise.all(
        [...pVersions, ...cVersions].slice(0).map(async (v) => {
          if (!v.report) return true;
          const f = await loadArtifact(v.hash, { root: artifactsRoot });
          return JSON.parse(new TextDecoder().decode(f['metadata.json'])).quantization?.scheme === v.label;
        }),
      );
      const versionsDistinct = new Set(all.map((m) => m.ref)).size === all.length;
      const tfSame = (ms: Measured[]) => ms.every((m) => m.tfBytes === ms[0].tfBytes);
      const q = (label: string) => byLabel(pMeasured, pQuality, label);
      const c = (label: string) => byLabel(cMeasured, cQuality, label);
      const within = (x: Quality, auc: number, same: number) => Math.abs(x.delta) <= auc && x.same >= same;
      const int4 = [`int4-g${GROUP}-sym`, `int4-g${GROUP}-asym`];
      const int8c = ['int8-channel-sym', 'int8-channel-asym'];
      const int8t = ['int8-tensor-sym', 'int8-tensor-asym'];
      const fmtQ = (label: string) =>
        `${label} ΔAUC ${d4(q(label).delta)}, same ${fmt.pct(q(label).same, 1)}`;
      // A family of schemes passes when each shrinks the big model's weights enough and keeps the
      // payments AUC and decisions, and the corpus model's topics.
      const schemeCheck = (name: string, labels: string[], ratio: number, auc: number, same: number) =>
        check(
          name,
          labels.every((l) => ratioOf(cMeasured, l) >= ratio && within(q(l), auc, same) && c(l).same >= same),
          labels
            .map(
              (l) =>
                `${fmt.ratio(ratioOf(cMeasured, l), 2)}, ${fmtQ(l)}, topic same ${fmt.pct(c(l).same, 1)}`,
            )
            .join('; '),
        );
      const checks = [
        check(
          CHECK.fp16,
          ratioOf(cMeasured, 'fp16') >= LIMITS.fp16Ratio && Math.abs(q('fp16').delta) <= LIMITS.fp16AucDelta,
          `${fmt.ratio(ratioOf(cMeasured, 'fp16'), 2)} (${CORPUS_MODEL}), ${fmtQ('fp16')}`,
        ),
        schemeCheck(CHECK.int8Channel, int8c, LIMITS.int8Ratio, LIMITS.int8AucDelta, LIMITS.int8Same),
        check(
          CHECK.int8Tensor,
          int8t.every(
            (l) =>
              q(l).meanAbsDelta <= LIMITS.int8TensorMeanDelta && Math.abs(q(l).delta) <= LIMITS.int8AucDelta,
          ),
          int8t
            .map((l) => `${l} mean |Δscore| ${q(l).meanAbsDelta.toExponential(1)}, ΔAUC ${d4(q(l).delta)}`)
            .join('; '),
        ),
        schemeCheck(CHECK.int4, int4, LIMITS.int4Ratio, LIMITS.int4AucDelta, LIMITS.int4Same),
        check(
          CHECK.errorBound,
          // The dequantized value is stored as float32: half an ulp of it is at most 2^-24 · 254 scale / 2.
          quantized > 0 && worstBound <= 1 + 2 ** -15,
          `${quantized} integer-quantized tensors, worst |error| = ${worstBound.toFixed(3)} · scale / 2`,
        ),
        check(
          CHECK.registry,
          versionsDistinct && schemeOk.every(Boolean),
          `${all.length} versions loaded by reference with their hash checked, ${schemeOk.filter(Boolean).length} with the right scheme`,
        ),
        check(
          CHECK.fp32Compute,
          tfSame(pMeasured) && tfSame(cMeasured) && cMeasured[0].tfBytes === corpus.weights * 4,
          `${PAYMENTS} ${pMeasured[0].tfBytes} B, ${CORPUS_MODEL} ${cMeasured[0].tfBytes} B = 4 · ${corpus.weights} weights, every scheme`,
        ),
        check(
          CHECK.served,
          served.ok === served.requests && served.wrongVersion === 0 && served.maxDelta <= 1e-6,
          `${served.ok}/${served.requests} replies from ${pInt8.ref}, max |Δ| ${served.maxDelta.toExponential(1)}`,
        ),
        check(
          CHECK.memory,
          mem.facts.fp16WeightBytes === 140e9 &&
            mem.facts.int8WeightBytes === 70e9 &&
            mem.facts.int4WeightBytes === 35e9 &&
            mem.facts.kvBytesPerToken === 320 * 1024,
          `${mem.facts.fp16WeightBytes / 1e9} / ${mem.facts.int8WeightBytes / 1e9} / ${mem.facts.int4WeightBytes / 1e9} GB, ${mem.facts.kvBytesPerToken / 1024} KiB`,
        ),
      ];
      const metric = (ms: Measured[], label: string, key: 'b1Ms' | 'b64Ms' | 'loadMs') =>
        byLabel(ms, ms, label)[key];
      return {
        checks,
        metrics: {
          backend: handle.backend,
          paymentsAuc: pQuality[0].metric,
          corpusAccuracy: cQuality[0].metric,
          corpusWeights: corpus.weights,
          fp16WeightRatio: ratioOf(cMeasured, 'fp16'),
          int8ChannelWeightRatio: ratioOf(cMeasured, 'int8-channel-sym'),
          int4WeightRatio: ratioOf(cMeasured, `int4-g${GROUP}-sym`),
          int8TensorMeanAbsDelta: perTensor.meanAbsDelta,
          int8ChannelMeanAbsDelta: perChannel.meanAbsDelta,
          perTensorOverPerChannelLoss: lossRatio,
          int8TensorAucDelta: perTensor.delta,
          int8ChannelAucDelta: perChannel.delta,
          int4AucDelta: q(`int4-g${GROUP}-sym`).delta,
          corpusFp32LoadMs: cMeasured[0].loadMs,
          corpusInt4LoadMs: metric(cMeasured, `int4-g${GROUP}-sym`, 'loadMs'),
          corpusFp32B64Ms: cMeasured[0].b64Ms,
          corpusInt8B64Ms: metric(cMeasured, 'int8-channel-sym', 'b64Ms'),
          corpusFp32B1Ms: cMeasured[0].b1Ms,
          corpusInt8B1Ms: metric(cMeasured, 'int8-channel-sym', 'b1Ms'),
          corpusFp32AgainB64Ms: cRun.control.b64Ms,
        },
      };
    } finally {
      rmSync(artifactsRoot, { recursive: true, force: true });
    }
  },
};

export default lab;
