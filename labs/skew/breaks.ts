/**
 * The skew lab's checks and faults (Q5). Each fault is one wrong choice in the serving code path
 * (serving.ts `ServingConfig`), the way such bugs ship: the code is right in training, a second
 * implementation in the service gets one detail wrong, and nothing crashes.
 */
import type { LabBreak } from '@mlops-lab/labkit';
import { HEALTHY_SERVING, type ServingConfig } from './serving.ts';
import { PREVIOUS_ARTIFACT } from './train.ts';

export const CHECK = {
  servedEqualsOffline: 'served features equal the offline recompute',
  skewConstant: 'the served-vs-offline mismatch does not move with the drift',
  driftQuietBefore: 'the drift detector is quiet before the world changes',
  driftFlagged: 'the drift detector flags the holiday rush on its first day',
  aucHolds: 'AUC on served features matches AUC on offline features',
  decisionsHold: 'review decisions on served features match offline ones',
} as const;

/** A stale deploy config still pins the previous model's artifact version. */
export function servingConfigFor(fault: string | null): ServingConfig {
  if (fault === 'serving-timezone') return { ...HEALTHY_SERVING, hourClock: 'server' };
  if (fault === 'default-fill') return { ...HEALTHY_SERVING, missingDistance: 'zero' };
  if (fault === 'stale-scaler') return { ...HEALTHY_SERVING, artifactVersion: PREVIOUS_ARTIFACT };
  return HEALTHY_SERVING;
}

export const BREAKS: LabBreak[] = [
  {
    name: 'serving-timezone',
    symptom:
      'the drift detector fires on day 1, before anything changed in the world, and one feature differs in most logged rows',
    hint: 'read the pattern column of the differing feature: what do its differences have in common, and with which country does it agree?',
    explanation:
      'The service computes `hour_of_day` with `new Date(ts).getUTCHours()`: the hour on the server’s clock, ' +
      'which in a container is UTC, while the training SQL shifts the timestamp by the payment country’s ' +
      'offset first. Every row differs by exactly that offset (+5 h for the US and Canada, -1 h for Germany and ' +
      'France, -5 or -6 h for India’s half-hour zone) except British ones, where UTC is the local time. ' +
      'American evening payments now look like night ones and real night payments like morning ones, so ' +
      'the model’s night signal (night is riskier) is scrambled: AUC drops and review decisions change. The drift detector also fires (the hour distribution moved), ' +
      'but from day 1 and at a constant size: a drift alert on the first day of a deploy is a skew smell. ' +
      'Fix: one implementation of the feature for both paths (a shared function, or a feature store ' +
      'on-demand feature), and a test that compares the two on the same rows.',
    flips: [CHECK.servedEqualsOffline, CHECK.driftQuietBefore, CHECK.aucHolds, CHECK.decisionsHold],
  },
  {
    name: 'default-fill',
    symptom:
      'every monitor stays green (no drift alert before the rush, same AUC, same decisions), yet the skew table lists differing rows',
    hint: 'every differing row has the same offline value: find that number in the artifact table, then ask which rows need it',
    explanation:
      'When the geolocation lookup times out, `distance_km` arrives missing (5% of payments). Training ' +
      'filled it with the training median (stored in the feature artifact); the service fills it with 0, ' +
      'the language default. Every differing row differs by exactly the median, and only rows whose ' +
      'raw distance is null. This model leans on "further than 300 km?", which 0 and a few km answer ' +
      'the same way, so almost no review decision moves (the cost table counts them) and no monitor notices: the ' +
      'row-level comparison is the only signal. The bug is still real: the next model, or a feature ' +
      'like "distance below 1 km", pays for it. Fix: fill values are part of the trained artifact and ' +
      'serving loads them from there, never a literal in code.',
    flips: [CHECK.servedEqualsOffline],
  },
  {
    name: 'stale-scaler',
    symptom:
      'one standardized feature differs in every logged row, the drift detector fires from day 1, and more payments go to review',
    hint: 'the pattern column maps served onto offline exactly: compare its slope and intercept with the artifact table',
    explanation:
      'The model was trained with feature artifact version 2 (fitted on this training window), but the ' +
      'service’s deploy config still pins version 1, fitted in October, before travel and electronics ' +
      'merchants joined, when amounts were smaller and less spread. `amount_z` is computed with the wrong ' +
      'mean and std, so served = a x offline + b in every row (R^2 = 1), with a = std(v2) / std(v1) and ' +
      'b = (mean(v2) - mean(v1)) / std(v1): check it against the artifact table. Every score rises, so at ' +
      'the same threshold many more payments go to review; AUC moves little because the map is monotone ' +
      '(only the weight of amount against the other features changes). The drift detector fires on ' +
      '`amount_z` from day 1 and never stops, so when the holiday rush really moves amounts it is one more ' +
      'alert on a feature that was already red. The distance fill value lives in the same artifact, so ' +
      'rows with a missing distance can differ too. Fix: the scaler and fill values ship inside the model ' +
      'artifact (one version for all of it), and serving refuses to start on a mismatch.',
    flips: [CHECK.servedEqualsOffline, CHECK.driftQuietBefore, CHECK.decisionsHold],
  },
];
