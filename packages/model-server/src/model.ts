/**
 * The contract the server serves (Q16): a model is its own preprocess (the same code training used,
 * so serving cannot drift from it), a batched inference and a postprocess into a decision. The server,
 * the batch job and the tests depend on this interface only; adapters turn a registry model into it.
 */

/** A request field failed validation; the server answers 400 naming `field` and `reason`. */
export class InputValidationError extends Error {
  override readonly name = 'InputValidationError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

export interface Prediction {
  score: number;
  decision: 'approve' | 'review' | 'decline';
  reason: string;
}

export interface ServingModel {
  readonly name: string;
  readonly version: string;
  /** Request body -> feature row. Throws InputValidationError naming the offending field. */
  preprocess(body: unknown): number[];
  /** One call for the whole batch: this is where micro-batching pays (one tensor op, not N). */
  predictBatch(rows: number[][]): Promise<Float32Array>;
  postprocess(score: number): Prediction;
  /** A valid synthetic request (i varies it) for warm-up: warm-up runs the full pre/infer/post path. */
  sampleInput(i: number): Record<string, unknown>;
  /** Optional JSON schema of the request body, checked by Fastify before preprocess runs. */
  readonly inputSchema?: Record<string, unknown>;
}

/** Thresholds shared by every payments model: a score is a fraud probability. */
export function decide(score: number): Prediction {
  if (!Number.isFinite(score)) return { score, decision: 'review', reason: 'model returned no usable score' };
  if (score >= 0.8)
    return { score, decision: 'decline', reason: `fraud probability ${score.toFixed(3)} >= 0.8` };
  if (score >= 0.4)
    return { score, decision: 'review', reason: `fraud probability ${score.toFixed(3)} >= 0.4` };
  return { score, decision: 'approve', reason: `fraud probability ${score.toFixed(3)} < 0.4` };
}
