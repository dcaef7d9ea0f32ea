/**
 * The requests a serving run sees (Q20: per-request cost scales with input size, and sizes are
 * heavy-tailed). Prompt and output lengths are drawn from log-normals whose means are the ShareGPT
 * statistics reported with vLLM's evaluation (Kwon et al., SOSP'23, §6.1, Fig. 11: ShareGPT prompts
 * average 161 tokens and outputs 338 tokens, with long right tails); the spread (σ of the log) is a
 * stated fit, not a published figure. As in vLLM's benchmark_serving.py, requests with a prompt over
 * 1,024 tokens or prompt + output over 2,048 are not served from the dataset: here they are redrawn,
 * so every request fits the model's context.
 *
 * Arrivals are a Poisson process (exponential gaps at `rate` requests/s), or bursty: a Gamma renewal
 * process with the same mean rate and coefficient of variation `burstCv` > 1 (vLLM's benchmark uses the
 * same Gamma family for its "burstiness" knob). Seeded: the same seed gives the same requests.
 */
import { createRng, mixSeed, type Rng } from '@mlops-lab/datagen';

export interface Request {
  id: number;
  /** Seconds from the start of the run. */
  arrival: number;
  promptTokens: number;
  outputTokens: number;
}

export interface LengthDistribution {
  /** Mean of the prompt length, tokens (before the limits). */
  promptMean: number;
  promptSigma: number;
  outputMean: number;
  outputSigma: number;
  maxPrompt: number;
  maxTotal: number;
}

/** ShareGPT-like lengths (see the file comment for the source of each figure). */
export const SHAREGPT: LengthDistribution = {
  promptMean: 161,
  promptSigma: 1.0,
  outputMean: 338,
  outputSigma: 0.9,
  maxPrompt: 1024,
  maxTotal: 2048,
};

export interface WorkloadOptions {
  requests: number;
  /** Mean arrival rate, requests/s; Infinity puts every arrival at t = 0. */
  rate: number;
  seed: number;
  lengths?: LengthDistribution;
  /** Coefficient of variation of the gaps: 1 (default) is Poisson, above 1 is bursty. */
  burstCv?: number;
}

/** A log-normal draw with the given mean: μ = ln(mean) − σ²/2 keeps E[X] = mean. */
function logNormal(rng: Rng, mean: number, sigma: number): number {
  return Math.exp(Math.log(mean) - (sigma * sigma) / 2 + sigma * rng.normal());
}

/** Marsaglia & Tsang (2000) Gamma(shape, 1) sampler; shape < 1 boosted by U^(1/shape). */
function gamma(rng: Rng, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * (1 - rng.next()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = rng.normal();
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
}

export function drawLengths(rng: Rng, d: LengthDistribution): { promptTokens: number; outputTokens: number } {
  for (;;) {
    const promptTokens = Math.max(1, Math.round(logNormal(rng, d.promptMean, d.promptSigma)));
    const outputTokens = Math.max(1, Math.round(logNormal(rng, d.outputMean, d.outputSigma)));
    if (promptTokens <= d.maxPrompt && promptTokens + outputTokens <= d.maxTotal)
      return { promptTokens, outputTokens };
  }
}

export function generateWorkload(o: WorkloadOptions): Request[] {
  if (!Number.isSafeInteger(o.requests) || o.requests < 1)
    throw new RangeError(`requests ${o.requests} must be a positive integer`);
  if (!(o.rate > 0)) throw new RangeError(`rate ${o.rate} must be > 0 requests/s`);
  const cv = o.burstCv ?? 1;
  if (!(cv > 0 && Number.isFinite(cv))) throw new RangeError(`burstCv ${cv} must be a finite number > 0`);
  const d = o.lengths ?? SHAREGPT;
  const lengths = createRng(mixSeed(o.seed, 'llm-serving', 'lengths'));
  const gaps = createRng(mixSeed(o.seed, 'llm-serving', 'arrivals'));
  // Gamma gaps with mean 1/rate and CV cv: shape 1/cv², scale cv²/rate (shape 1 is exponential).
  const shape = 1 / (cv * cv);
  const out: Request[] = [];
  let t = 0;
  for (let id = 0; id < o.requests; id++) {
    if (id > 0 && Number.isFinite(o.rate)) t += (gamma(gaps, shape) * cv * cv) / o.rate;
    out.push({ id, arrival: t, ...drawLengths(lengths, d) });
  }
  return out;
}
