/**
 * Tumbling windows by event time (Q26): back-to-back, non-overlapping intervals [start, end) of a fixed
 * length from an origin. A prediction belongs to the window its own timestamp falls in, however late it
 * reached the log, so a backed-up consumer changes when a window is complete, never what it holds.
 */
import { MonitoringInputError } from './errors.ts';

export interface TimeWindow {
  index: number;
  start: number;
  end: number;
}

/** `count` windows of `sizeMs` from `origin` (ms since epoch), index 0 first. */
export function tumblingWindows(origin: number, sizeMs: number, count: number): TimeWindow[] {
  if (!Number.isSafeInteger(origin))
    throw new MonitoringInputError(`windows: origin must be integer ms, got ${origin}`);
  if (!Number.isSafeInteger(sizeMs) || sizeMs <= 0)
    throw new MonitoringInputError(`windows: size must be a positive integer of ms, got ${sizeMs}`);
  if (!Number.isSafeInteger(count) || count < 0)
    throw new MonitoringInputError(`windows: count must be a non-negative integer, got ${count}`);
  return Array.from({ length: count }, (_, index) => ({
    index,
    start: origin + index * sizeMs,
    end: origin + (index + 1) * sizeMs,
  }));
}

/** The index of the window holding event time `at` (negative before the origin). */
export function windowIndex(at: number, origin: number, sizeMs: number): number {
  return Math.floor((at - origin) / sizeMs);
}
