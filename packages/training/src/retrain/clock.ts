/**
 * The retraining pipeline's injectable clock (Q14): simulated time runs `WEEK_MS / weekRealMs` times
 * faster than the wall clock, so a weekly schedule fires every `weekRealMs` real milliseconds and a lab
 * fast-forwards months in seconds. BullMQ's Job Scheduler keeps real time (its `every` slots are wall
 * clock milliseconds); the clock maps each slot's real millis to a simulated week, the run's slot.
 * Every process of one pipeline shares the clock's numbers (they travel in the pipeline config).
 */

export const DAY_MS = 24 * 3600 * 1000;
export const WEEK_MS = 7 * DAY_MS;

export interface ClockSpec {
  /** Simulated time of week 0 (ms since the epoch). */
  simStart: number;
  /** Wall-clock time at which simulated week 0 began. */
  realStart: number;
  /** Wall-clock milliseconds per simulated week. */
  weekRealMs: number;
}

export interface Clock extends ClockSpec {
  /** Simulated now. */
  now(): number;
  /** Simulated time at a wall-clock instant. */
  simAt(realMs: number): number;
  /** Wall-clock instant of the start of simulated week `slot`. */
  realAtSlot(slot: number): number;
  /**
   * The week a wall-clock instant falls in. A tick fires at its week's start or, when the schedule was
   * upserted late, later in that week (BullMQ fires a late first iteration at once, then every week after).
   */
  slotAt(realMs: number): number;
  /** Simulated start of week `slot`. */
  simAtSlot(slot: number): number;
}

export function scaledClock(spec: ClockSpec, wall: () => number = Date.now): Clock {
  const { simStart, realStart, weekRealMs } = spec;
  if (!(weekRealMs > 0)) throw new Error(`clock: weekRealMs ${weekRealMs} must be > 0`);
  const speed = WEEK_MS / weekRealMs;
  return {
    ...spec,
    now: () => simStart + (wall() - realStart) * speed,
    simAt: (realMs) => simStart + (realMs - realStart) * speed,
    realAtSlot: (slot) => realStart + slot * weekRealMs,
    slotAt: (realMs) => Math.floor((realMs - realStart) / weekRealMs),
    simAtSlot: (slot) => simStart + slot * WEEK_MS,
  };
}
