/**
 * The ServingModel the lab serves, healthy or under a fault (Q16). Healthy is the package adapter
 * (`fromLoadedModel`, packages/model-server/src/tf-adapter.ts): request schema, field-by-field
 * validation, then the model's own transform, the payments encoder (`encodePayment`) with the stats
 * stored in the artifact.
 * Each fault is an adapter a team could plausibly ship instead; the server, the micro-batcher and the
 * BullMQ batch job run unchanged around it, which is the point: they trust the contract.
 */
import { checkBody, fromLoadedModel, type ServingModel } from '@mlops-lab/model-server';
import type { PaymentInput, PaymentRequest } from '@mlops-lab/payments';
import type { LoadedModel } from '@mlops-lab/training';

/**
 * bad-input: "validation twice is waste" — no body schema, and the body goes straight into the
 * training transform. That transform was written for rows a pipeline already cleaned, so it coerces
 * strings, fills nulls, clamps negatives and yields NaN for anything else instead of refusing.
 */
function unvalidated(loaded: LoadedModel): ServingModel {
  const base = fromLoadedModel(loaded);
  return {
    ...base,
    inputSchema: undefined,
    preprocess: (body) => loaded.preprocess(body as PaymentInput),
  };
}

/**
 * preprocess-mismatch: the serving team's own port of the transform, written from the feature spec
 * ("standardized log of amount, ...") instead of using the encoder the model carries. This second
 * copy of the encoder is the fault, kept on purpose: it validates properly and reads the artifact's
 * stats, but its "log" is base 10 (what `LOG()` means in SQL and spreadsheets), while training used
 * the natural log. Every request still gets a plausible-looking score.
 */
function servingPort(loaded: LoadedModel): ServingModel {
  const { numeric, merchantCategory, channel } = loaded.stats;
  const check = checkBody<PaymentRequest>(loaded.inputSchema);
  const z = (x: number, f: { mean: number; std: number }) => (x - f.mean) / f.std;
  return {
    ...fromLoadedModel(loaded),
    preprocess(body) {
      const p = check(body);
      const angle = (2 * Math.PI * p.hourOfDay) / 24;
      return [
        z(Math.log10(Math.max(p.amount, 0.01)), numeric.amount),
        z(Math.log1p(p.deviceAgeDays), numeric.deviceAgeDays),
        z(Math.log1p(p.distanceKm), numeric.distanceKm),
        Math.sin(angle),
        Math.cos(angle),
        p.hourOfDay <= 5 ? 1 : 0,
        ...merchantCategory.map((c) => (p.merchantCategory === c ? 1 : 0)),
        ...channel.map((c) => (p.channel === c ? 1 : 0)),
      ];
    },
  };
}

export function servingModelFor(fault: string | null, loaded: LoadedModel): ServingModel {
  if (fault === 'bad-input') return unvalidated(loaded);
  if (fault === 'preprocess-mismatch') return servingPort(loaded);
  return fromLoadedModel(loaded);
}
