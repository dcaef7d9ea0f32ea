/**
 * Warm-up before ready (Q19), as TF Serving's warm-up records and Triton's model_warmup do it: run the
 * model's full pre / infer / post path on synthetic requests at every batch shape it will serve,
 * several rounds, so the first real request finds the code compiled and the buffers allocated.
 * The shapes warmed are recorded: a batch served later at a shape never seen is a "cold shape",
 * the signal that warm-up and the batcher's allowed sizes disagree.
 */
import { paddedSize } from './batcher.ts';
import type { ServingModel } from './model.ts';

export interface WarmupOptions {
  /** Batch sizes to run; each is padded like the batcher pads, so the shapes match what traffic sees. */
  batchSizes: number[];
  rounds?: number;
}

/** The batch shapes each model has run, by warm-up or by traffic. */
export class ShapeLog {
  private readonly seen = new WeakMap<ServingModel, Set<number>>();

  /** Records a shape; true when the model had never run it before. */
  record(model: ServingModel, shape: number): boolean {
    const shapes = this.seen.get(model) ?? new Set<number>();
    this.seen.set(model, shapes);
    if (shapes.has(shape)) return false;
    shapes.add(shape);
    return true;
  }

  shapes(model: ServingModel): number[] {
    return [...(this.seen.get(model) ?? [])].sort((a, b) => a - b);
  }
}

export async function warmModel(
  model: ServingModel,
  warmup: WarmupOptions,
  allowedSizes: number[] | undefined,
  shapes: ShapeLog,
): Promise<void> {
  for (let round = 0; round < (warmup.rounds ?? 3); round++) {
    for (const size of warmup.batchSizes) {
      const shape = paddedSize(size, allowedSizes);
      const rows = Array.from({ length: shape }, (_, i) => model.preprocess(model.sampleInput(i + round)));
      const scores = await model.predictBatch(rows);
      for (const s of scores) model.postprocess(s);
      shapes.record(model, shape);
    }
  }
}
