/**
 * Typed errors of @mlops-lab/monitoring. Each message names the offending input and what to do, so a
 * producer that sends a bad record, or a caller with a bad window size, learns it before any work.
 */

/** A prediction record, a label, a window or an option is malformed. */
export class MonitoringInputError extends Error {
  override readonly name = 'MonitoringInputError';
}
