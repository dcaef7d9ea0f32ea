/**
 * Typed errors of the lab runner (ARCHITECTURE.md "Conventions": errors are typed and actionable).
 * The CLI maps them to exit codes: LabUsageError -> 2 (the command was wrong), anything else -> 1.
 */

/** The command asked for something that does not exist (unknown lab, fault, bad seed). */
export class LabUsageError extends Error {
  override name = 'LabUsageError';
  /** The valid choices, printed by the CLI so the user can retry without reading code. */
  readonly choices: string[];

  constructor(message: string, choices: string[] = []) {
    super(message);
    this.choices = choices;
  }
}

/**
 * A lab crashed, or its services could not be acquired or closed. The message names the lab;
 * `hint` is carried over from the cause (services' errors carry one naming the fix).
 */
export class LabRunError extends Error {
  override name = 'LabRunError';
  readonly lab: string;
  hint: string | undefined;
  /** Set when closing services also failed after the lab itself failed; the first error wins. */
  cleanupError: unknown;

  constructor(lab: string, what: string, cause: unknown) {
    super(`lab "${lab}": ${what}: ${messageOf(cause)}`, { cause });
    this.lab = lab;
    this.hint = hintOf(cause);
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The `hint` property of an error, if it has a non-empty string one (e.g. services' ServiceError). */
export function hintOf(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'hint' in error) {
    const hint = (error as { hint: unknown }).hint;
    if (typeof hint === 'string' && hint.length > 0) return hint;
  }
  return undefined;
}
