/**
 * The drift lab's timeline: a reference window, then weekly live windows in three phases
 * (steady, holiday season, changed fraud pattern), and the faults a `--break` injects into
 * the steady phase as an incident. Pure data: generating and streaming happen elsewhere.
 * Q4 (data vs concept drift), Q27 (detecting drift).
 */
import type { DriftKnobs } from '@mlops-lab/datagen';

export const WEEK_MS = 7 * 24 * 3600 * 1000;
/** Monday 2026-01-05 00:00 UTC: the reference week starts here. */
export const START_MS = Date.UTC(2026, 0, 5);

export type Phase = 'steady' | 'season' | 'concept';

export interface LiveWindow {
  index: number;
  phase: Phase;
  start: number;
  drift: DriftKnobs;
  /** True when a `--break` fault was injected into this window. */
  faulted: boolean;
}

export interface Scenario {
  referenceSize: number;
  windowSize: number;
  windows: LiveWindow[];
  /** Labels for window w arrive when window w + labelDelay has been served. */
  labelDelay: number;
  /** Sizes for the alarm-fatigue comparison (a negligible shift at large n). */
  fatigueSize: number;
}

/**
 * The faults of `--break`, as data-generation knobs. Each models a real incident:
 * unit-change = an upstream service starts sending cents; new-category = a product launch the
 * model never saw; null-flood = a broken join upstream; concept-shift = fraudsters change tactics.
 */
export const FAULT_KNOBS: Record<string, DriftKnobs> = {
  'unit-change': { unitChange: { feature: 'amount', factor: 100 } },
  'new-category': { newCategory: { value: 'crypto_exchange', share: 0.15 } },
  'null-flood': { nullFlood: { distanceKm: 0.4 } },
  'concept-shift': { labelRule: 'v2' },
};

const PHASE_LENGTH = { quick: 3, full: 4 };
/** Holiday season ramps in over the season phase (phase 0.5 is the peak of the yearly cycle). */
const SEASON_RAMP = [0.35, 0.5, 0.5, 0.5];

export function buildScenario(quick: boolean, fault: string | null): Scenario {
  const perPhase = quick ? PHASE_LENGTH.quick : PHASE_LENGTH.full;
  const phases: Phase[] = ['steady', 'season', 'concept'];
  const windows: LiveWindow[] = [];
  for (const phase of phases) {
    for (let k = 0; k < perPhase; k++) {
      const index = windows.length + 1;
      // The incident starts in the second steady week, so week 1 shows a healthy baseline.
      const faulted = fault !== null && phase === 'steady' && k >= 1;
      let drift: DriftKnobs = {};
      if (phase === 'season') drift = { season: SEASON_RAMP[k] };
      if (phase === 'concept') drift = { labelRule: 'v2' };
      if (faulted) drift = { ...drift, ...FAULT_KNOBS[fault] };
      windows.push({ index, phase, start: START_MS + index * WEEK_MS, drift, faulted });
    }
  }
  return {
    referenceSize: quick ? 6000 : 20000,
    windowSize: quick ? 2000 : 5000,
    windows,
    labelDelay: 2,
    fatigueSize: quick ? 60000 : 200000,
  };
}
