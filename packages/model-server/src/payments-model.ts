/**
 * Test and benchmark fixture (Q16): a payments model to serve without a registry, and the requests
 * to send it. The model is training's in-process logistic one, adapted by the same `fromLoadedModel`
 * a registry model goes through; the bodies come from the payments domain. The package does not
 * export this module: the server itself knows no model.
 */
import { trainPaymentsLogistic } from '@mlops-lab/training';
import type { ServingModel } from './model.ts';
import { fromLoadedModel } from './tf-adapter.ts';

export { paymentBodies } from '@mlops-lab/payments';

/** Trains the logistic payments model (deterministic for the same options) and adapts it. */
export function trainPaymentsModel(options?: Parameters<typeof trainPaymentsLogistic>[0]): ServingModel {
  return fromLoadedModel(trainPaymentsLogistic(options));
}
