/**
 * The lab's three models (Q15): v1, the champion, from old weeks; v2, retrained on newer weeks after
 * the world shifted; v3, a bigger run on the team's longer archive of old weeks, which wins on the
 * team's frozen offline test set (weeks 8-9, before the shift) and is the "offline winner" the shadow
 * test must catch. All three are TF.js models in the registry.
 */

import { rocAuc } from '@mlops-lab/evaluation';
import type { Services } from '@mlops-lab/services';
import { loadModel, trainAndRegister } from '@mlops-lab/training';
import { describeWeeks, newWorld, oldWorld, type WindowOpts } from './world.ts';

export interface Model {
  version: number;
  hash: string;
  /** AUC on the window's own later quarter (time-ordered split). */
  holdoutAuc: number;
  data: string;
}

export async function trainModels(
  services: Pick<Services, 'pg' | 'migrate'>,
  o: { name: string; seed: number; size: number; epochs: number; artifactsRoot: string },
  progress: (text: string) => void = () => {},
): Promise<{ v1: Model; v2: Model; v3: Model }> {
  let n = 0;
  const train = async (world: 'old' | 'new', w: WindowOpts, epochs: number): Promise<Model> => {
    progress(`training model ${++n} of 3`);
    const events = world === 'old' ? oldWorld(w) : newWorld(w);
    const data = `${world} world, ${describeWeeks(w)}`;
    const t = await trainAndRegister({
      services,
      name: o.name,
      events,
      dataRef: `datagen:payments ${data}`,
      seed: w.seed,
      epochs,
      artifactsRoot: o.artifactsRoot,
      championIfUnset: false, // the lab moves champion itself, with the verdict as the reason
    });
    return { version: t.version, hash: t.hash, holdoutAuc: t.metrics.auc ?? Number.NaN, data };
  };
  const v1 = await train('old', { seed: o.seed * 10 + 1, size: o.size, week: 0, weeks: 4 }, o.epochs);
  const v2 = await train('new', { seed: o.seed * 10 + 2, size: o.size, week: 10, weeks: 2 }, o.epochs);
  const v3 = await train(
    'old',
    { seed: o.seed * 10 + 3, size: 2 * o.size, week: 0, weeks: 10 },
    2 * o.epochs,
  );
  return { v1, v2, v3 };
}

/** AUC of each registered version on the frozen offline test set (old world, weeks 8-9). */
export async function offlineAucs(
  services: Pick<Services, 'pg'>,
  name: string,
  artifactsRoot: string,
  o: { seed: number; size: number },
): Promise<Record<number, number>> {
  const golden = oldWorld({ seed: o.seed * 10 + 9, size: o.size, week: 8, weeks: 2 });
  const labels = golden.map((e) => e.label);
  const out: Record<number, number> = {};
  for (const version of [1, 2, 3]) {
    const model = await loadModel(services, `${name}@${version}`, { artifactsRoot });
    try {
      out[version] =
        rocAuc(await model.predict(golden.map((e) => model.preprocess(e))), labels) ?? Number.NaN;
    } finally {
      model.dispose();
    }
  }
  return out;
}
