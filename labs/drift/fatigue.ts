/**
 * Alarm fatigue (Q27): at large n every two-sample test is significant for shifts too small to
 * matter. The same detector is run on a reference and a window that differ by a negligible shift
 * on every numeric feature and a slightly different category mix: raw p-values fire, the verdict
 * (BH-adjusted significance AND an effect size over the threshold) stays quiet.
 */
import { generatePayments, mixSeed } from '@mlops-lab/datagen';
import { buildProfile, compare } from '@mlops-lab/drift';
import { fmt, type Narrator } from '@mlops-lab/labkit';
import { PROFILE_SCHEMA } from './report.ts';
import { type Scenario, START_MS, WEEK_MS } from './scenario.ts';

/** In reference standard deviations: detectable at n in the tens of thousands, irrelevant to a model. */
/**
 * In reference standard deviations: detectable at n in the tens of thousands, irrelevant to a model.
 * distanceKm is left alone: most of its mass sits within a few km of home, so even a tiny additive
 * shift moves whole quantile bins and PSI (rightly) calls it large.
 */
const NEGLIGIBLE_SHIFT = { amount: 0.02, hourOfDay: 0.06, deviceAgeDays: 0.05 };
/** Reference weights are grocery 24, online_retail 15 (of 100): a two-point swap. */
const NEGLIGIBLE_MIX = { grocery: 26, online_retail: 14 };

export interface FatigueResult {
  features: number;
  rawSignificant: number;
  minP: number;
  maxEffect: number;
  drifted: string[];
}

export async function alarmFatigue(scenario: Scenario, seed: number, out: Narrator): Promise<FatigueResult> {
  const n = scenario.fatigueSize;
  const window = (part: string, drift = {}) =>
    generatePayments({ seed: mixSeed(seed, part), size: n, start: START_MS, durationMs: WEEK_MS, drift });
  // The profile keeps every reference value here (sampleSize = n) so the test has its full power.
  const profile = buildProfile(window('fatigue-reference'), PROFILE_SCHEMA, { sampleSize: n });
  const current = window('fatigue-current', { numericShift: NEGLIGIBLE_SHIFT, categoryMix: NEGLIGIBLE_MIX });
  const report = compare(profile, current);
  const rawSignificant = report.features.filter((f) => f.pValue < 0.05).length;
  const shifts = Object.entries(NEGLIGIBLE_SHIFT).map(([f, k]) => `${f} +${k} sd`);
  out.say(
    `${n.toLocaleString('en-US')} rows vs ${n.toLocaleString('en-US')} rows; ${shifts.join(', ')}; grocery 24% -> 26%:`,
  );
  out.table(
    ['feature', 'test', 'raw p', 'BH-adjusted p', 'effect', 'gate', 'p-only alert', 'verdict'],
    report.features.map((f) => [
      f.feature,
      f.test,
      fmt.p(f.pValue),
      fmt.p(f.pAdjusted),
      `${f.effectName === 'wasserstein' ? 'W' : 'JS'} ${f.effect.toFixed(3)}`,
      f.largeEffect ? 'open' : 'closed',
      f.pValue < 0.05 ? 'ALERT' : '-',
      f.drifted ? 'DRIFT' : 'quiet',
    ]),
  );
  return {
    features: report.features.length,
    rawSignificant,
    minP: Math.min(...report.features.map((f) => f.pValue)),
    maxEffect: Math.max(...report.features.map((f) => f.effect)),
    drifted: report.driftedFeatures,
  };
}
