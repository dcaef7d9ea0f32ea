/**
 * The training pipeline run (Q5): fit the feature artifact on the training window (version 2; the
 * previous model's, fitted in October, is version 1 and stays in the table, as old artifacts do),
 * compute the training set with the offline feature code, train the model, and store the training
 * features' profile for the drift detector (@mlops-lab/drift), which judges served features by it.
 */
import { buildProfile, type Schema, saveProfile } from '@mlops-lab/drift';
import type { Services } from '@mlops-lab/services';
import { FEATURES, type Model, trainModel } from './model.ts';
import { type Artifact, fitArtifact, type OfflineRow, offlineFeatures } from './offline.ts';
import { DAY_MS, SERVE_START, type Timeline } from './world.ts';

/** The previous model's feature artifact, and the one this pipeline fits for the new model. */
export const PREVIOUS_ARTIFACT = 1;
export const CURRENT_ARTIFACT = 2;
export const PROFILE_NAME = 'skew-training';
export const PROFILE_SCHEMA: Schema = FEATURES.map(({ name, type }) => ({ name, type }));

export interface Trained {
  model: Model;
  artifacts: Artifact[];
  trainingRows: OfflineRow[];
}

export async function runTrainingPipeline(services: Services, t: Timeline): Promise<Trained> {
  const previous = await fitArtifact(
    services,
    PREVIOUS_ARTIFACT,
    t.previousStart,
    t.previousStart + 7 * DAY_MS,
    'previous model: October, before travel and electronics',
  );
  const current = await fitArtifact(
    services,
    CURRENT_ARTIFACT,
    t.trainStart,
    SERVE_START,
    'this model: the training window',
  );
  const trainingRows = await offlineFeatures(
    services,
    { fromMs: t.trainStart, toMs: SERVE_START },
    current.version,
  );
  const features = trainingRows.map((r) => r.features);
  const model = trainModel(
    features,
    trainingRows.map((r) => r.label),
    current.version,
  );
  await saveProfile(services.pg, PROFILE_NAME, buildProfile(features, PROFILE_SCHEMA));
  return { model, artifacts: [previous, current], trainingRows };
}
