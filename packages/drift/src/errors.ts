/**
 * Typed errors of @mlops-lab/drift. Every message names the offending input and says how to fix it,
 * so a lab or a pipeline log tells the reader what to change without reading the stack.
 */

/** Bad input to a test, an effect size or the detector: empty sample, NaN, wrong column type. */
export class DriftInputError extends Error {
  override readonly name = 'DriftInputError';
}

/** `loadProfile` found no row for the requested name. */
export class ProfileNotFoundError extends Error {
  override readonly name = 'ProfileNotFoundError';
  constructor(readonly profileName: string) {
    super(
      `no drift profile named "${profileName}" in drift_profiles; ` +
        'build one with buildProfile(rows, schema) and store it with saveProfile(pool, name, profile)',
    );
  }
}
