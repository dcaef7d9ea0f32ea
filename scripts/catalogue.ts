/**
 * The labs `pnpm lab` knows (ARCHITECTURE.md "Lab anatomy"). A static list: no file-system discovery to
 * go wrong, and a typo is a type error.
 *
 * To add a lab: create `labs/<name>/` as package `@mlops-lab/lab-<name>` whose `lab.ts` has a
 * default export of type LabDefinition, add that package to scripts/package.json dependencies,
 * and import it below.
 */
import championChallenger from '@mlops-lab/lab-champion-challenger';
import cost from '@mlops-lab/lab-cost';
import dataVersioning from '@mlops-lab/lab-data-versioning';
import debugging from '@mlops-lab/lab-debugging';
import drift from '@mlops-lab/lab-drift';
import embeddingDrift from '@mlops-lab/lab-embedding-drift';
import featureStore from '@mlops-lab/lab-feature-store';
import lifecycle from '@mlops-lab/lab-lifecycle';
import llmServing from '@mlops-lab/lab-llm-serving';
import mlCi from '@mlops-lab/lab-ml-ci';
import monitoring from '@mlops-lab/lab-monitoring';
import pitJoin from '@mlops-lab/lab-pit-join';
import quantization from '@mlops-lab/lab-quantization';
import ragEval from '@mlops-lab/lab-rag-eval';
import reindex from '@mlops-lab/lab-reindex';
import retraining from '@mlops-lab/lab-retraining';
import serving from '@mlops-lab/lab-serving';
import skew from '@mlops-lab/lab-skew';
import vectorSearch from '@mlops-lab/lab-vector-search';
import versioning from '@mlops-lab/lab-versioning';
import warmup from '@mlops-lab/lab-warmup';
import type { LabDefinition } from '@mlops-lab/labkit';

export const catalogue: readonly LabDefinition[] = [
  drift,
  skew,
  pitJoin,
  featureStore,
  mlCi,
  dataVersioning,
  vectorSearch,
  ragEval,
  reindex,
  embeddingDrift,
  serving,
  versioning,
  warmup,
  cost,
  championChallenger,
  llmServing,
  monitoring,
  retraining,
  debugging,
  quantization,
  lifecycle,
];
