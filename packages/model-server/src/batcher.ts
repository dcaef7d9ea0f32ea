/**
 * Dynamic micro-batching (Q31, Triton's dynamic batcher): rows submitted within `maxWaitMs` of the
 * first waiting row, or until `maxBatch` rows wait, go to the model as one `predictBatch` call.
 * While a batch runs, new rows queue up and go together as soon as it returns, so under load batches
 * grow on their own and at low load a row waits at most `maxWaitMs`. With `allowedSizes` a batch is
 * padded up to the smallest allowed size that holds it (TF Serving's allowed_batch_sizes), so the model
 * only ever sees shapes that warm-up can cover; padding rows repeat the last row and their scores are
 * dropped. With `timeoutMs` a model call that does not return in time fails its batch's rows
 * (InferenceTimeoutError) and the next batch runs: a hung call cannot hold every later request.
 * Hand-written.
 */

export interface BatcherOptions {
  maxBatch: number;
  maxWaitMs: number;
  /** Batch shapes the model may see; each batch is padded up to the next one. Must include maxBatch. */
  allowedSizes?: number[];
  /** Longest wait for one model call; a late call's result is dropped. None: wait forever. */
  timeoutMs?: number;
}

export class InferenceTimeoutError extends Error {
  override readonly name = 'InferenceTimeoutError';
  constructor(readonly timeoutMs: number) {
    super(`the model did not answer within ${timeoutMs} ms`);
  }
}

/** The padded shape for `n` rows: the smallest allowed size >= n (n itself without allowed sizes). */
export function paddedSize(n: number, allowedSizes?: readonly number[]): number {
  if (!allowedSizes?.length) return n;
  return allowedSizes.find((s) => s >= n) ?? n;
}

interface Pending {
  row: number[];
  resolve: (score: number) => void;
  reject: (err: unknown) => void;
}

export class MicroBatcher {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly run: (rows: number[][]) => Promise<Float32Array>,
    private readonly opts: BatcherOptions,
    /** Called with each batch's row count, its inference time in seconds and the padded shape. */
    private readonly onBatch: (size: number, seconds: number, shape: number) => void = () => {},
  ) {
    if (!(opts.maxBatch >= 1)) throw new Error('MicroBatcher: maxBatch must be >= 1');
    if (!(opts.maxWaitMs >= 0)) throw new Error('MicroBatcher: maxWaitMs must be >= 0');
    if (opts.timeoutMs !== undefined && !(opts.timeoutMs > 0)) {
      throw new Error('MicroBatcher: timeoutMs must be > 0');
    }
    const allowed = opts.allowedSizes;
    if (
      allowed &&
      (allowed.some((s, i) => !Number.isInteger(s) || s < 1 || (i > 0 && s <= allowed[i - 1])) ||
        allowed.at(-1)! < opts.maxBatch)
    ) {
      throw new Error(
        'MicroBatcher: allowedSizes must be increasing positive integers ending at >= maxBatch',
      );
    }
  }

  submit(row: number[]): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once nothing waits or runs (graceful shutdown drains through this). */
  idle(): Promise<void> {
    if (!this.running && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.running) return; // the running batch picks the queue up when it returns
    if (this.queue.length >= this.opts.maxBatch || this.opts.maxWaitMs === 0) {
      this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.opts.maxWaitMs);
    }
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.opts.maxBatch);
    this.running = true;
    const rows = batch.map((p) => p.row);
    const shape = paddedSize(rows.length, this.opts.allowedSizes);
    while (rows.length < shape) rows.push(rows[rows.length - 1]);
    const t0 = performance.now();
    this.bounded(rows)
      .then((scores) => {
        this.onBatch(batch.length, (performance.now() - t0) / 1000, shape);
        for (const [i, p] of batch.entries()) p.resolve(scores[i]);
      })
      .catch((err: unknown) => {
        for (const p of batch) p.reject(err);
      })
      .finally(() => {
        this.running = false;
        // Rows that queued during the batch have waited long enough already: send them now.
        if (this.queue.length > 0) this.flush();
        else for (const w of this.idleWaiters.splice(0)) w();
      });
  }

  /** The model call as a promise (a synchronous throw included), failed after timeoutMs. */
  private bounded(rows: number[][]): Promise<Float32Array> {
    const call = new Promise<Float32Array>((resolve) => resolve(this.run(rows)));
    const ms = this.opts.timeoutMs;
    if (!ms) return call;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new InferenceTimeoutError(ms)), ms);
    });
    return Promise.race([call, late]).finally(() => clearTimeout(timer));
  }
}
