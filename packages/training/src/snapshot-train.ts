/**
 * Training pinned to its exact data (Q13): the rows of a content-addressed snapshot
 * (@mlops-lab/datasets), verified against its id before any training, in a fixed order (time, then
 * event id), trained with the seeded, single-threaded TF.js pipeline, and registered with the data
 * spec `snapshot:<id>`. The same snapshot and seed give the same artifact hash, so retraining a
 * registered model from its snapshot proves what made it.
 */

import type { PaymentEvent } from '@mlops-lab/datagen';
import { datasetsMigrations, getSnapshot, readSnapshot } from '@mlops-lab/datasets';
import { snapshotDataRef } from '@mlops-lab/registry';
import { PAYMENTS_ORDER } from './ci/payments-source.ts';
import { type TrainOptions, type TrainResult, trainAndRegister } from './tf-model.ts';

/** The snapshot's rows as time-ordered payments: a rewritten row is a DatasetError('tampered') naming it. */
export async function snapshotEvents(
  services: TrainOptions['services'],
  id: string,
): Promise<PaymentEvent[]> {
  await services.migrate('datasets', datasetsMigrations);
  await getSnapshot(services.pg, id);
  const rows = await readSnapshot(services.pg, id, { orderBy: PAYMENTS_ORDER });
  return rows as unknown as PaymentEvent[];
}

/** Trains and registers on snapshot `snapshot`; the version's data spec is `snapshot:<id>`. */
export async function trainFromSnapshot(
  options: Omit<TrainOptions, 'events' | 'dataRef' | 'size'> & { snapshot: string },
): Promise<TrainResult & { snapshot: string }> {
  const dataRef = snapshotDataRef(options.snapshot);
  const events = await snapshotEvents(options.services, options.snapshot);
  return { ...(await trainAndRegister({ ...options, events, dataRef })), snapshot: options.snapshot };
}
