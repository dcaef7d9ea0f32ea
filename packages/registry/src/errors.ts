/**
 * Typed registry errors (Q18): every refusal names what was refused and why, so a caller can react
 * to `code` and a person can act on `message`.
 */

export type RegistryErrorCode =
  | 'version-conflict'
  | 'not-found'
  | 'tampered'
  | 'bad-ref'
  | 'bad-routing'
  | 'bad-input'
  /** A version whose recorded metrics cannot support the move (e.g. `champion` with AUC NaN). */
  | 'bad-metrics';

export class RegistryError extends Error {
  readonly code: RegistryErrorCode;
  constructor(code: RegistryErrorCode, message: string) {
    super(message);
    this.name = 'RegistryError';
    this.code = code;
  }
}
