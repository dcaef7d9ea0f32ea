/**
 * What the registry accepts as a model name, an alias, a version and a reason (Q18), checked before
 * any query so a bad value is one clear RegistryError instead of a Postgres error: names and aliases
 * are primary-key columns (bounded), versions are int4, reasons are read by people.
 */
import { RegistryError, type RegistryErrorCode } from './errors.ts';

export const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const ALIAS = /^[A-Za-z][A-Za-z0-9_-]*$/;
/**
 * Names and aliases are primary-key columns: bounded so no input can reach Postgres' index row
 * limit (a raw "index row size exceeds" error), and short enough to print in one line.
 */
const MAX_NAME_LENGTH = 64;
/** Versions are Postgres `integer` (int4): a larger number would be a raw "out of range" error. */
const MAX_VERSION = 2_147_483_647;
/** A reason is read by people in `pnpm registry history`: a paragraph at most. */
const MAX_REASON_LENGTH = 1000;

/** An input quoted for a message, cut when long so a 100 KB value is never echoed back. */
export function shown(text: string): string {
  return text.length <= 40 ? `"${text}"` : `"${text.slice(0, 40)}…" (${text.length} characters)`;
}

function checkKey(what: string, value: string, pattern: RegExp, rule: string, code: RegistryErrorCode): void {
  if (typeof value !== 'string')
    throw new RegistryError(code, `${what} must be a string, got ${typeof value}`);
  if (value.length > MAX_NAME_LENGTH) {
    throw new RegistryError(
      code,
      `${what} "${value.slice(0, 40)}…" is ${value.length} characters; at most ${MAX_NAME_LENGTH}`,
    );
  }
  if (!pattern.test(value)) {
    throw new RegistryError(
      code,
      `${what} ${shown(value)} must be 1-${MAX_NAME_LENGTH} characters of ${rule}`,
    );
  }
}

/** Refuses (RegistryError 'bad-input') a model name a version could not be stored under. */
export function checkModelName(name: string, code: RegistryErrorCode = 'bad-input'): void {
  checkKey('model name', name, MODEL_NAME, '[A-Za-z0-9._-], starting with a letter or digit', code);
}

/** Refuses (RegistryError 'bad-input') an alias that is not a short identifier. */
export function checkAlias(alias: string, code: RegistryErrorCode = 'bad-input'): void {
  checkKey('alias', alias, ALIAS, '[A-Za-z0-9_-], starting with a letter', code);
}

const VERSION_RULE = `version must be an integer from 1 to ${MAX_VERSION}`;

/** Refuses (RegistryError 'bad-input') a version that is not a positive int4. */
export function checkVersion(version: number): void {
  if (!Number.isInteger(version) || version < 1 || version > MAX_VERSION) {
    throw new RegistryError('bad-input', `${VERSION_RULE}, got ${version}`);
  }
}

/** `"3"` -> 3; anything else (`-1`, `1.5`, `99999999999`) is refused with the valid range. */
export function parseVersion(text: string, code: RegistryErrorCode = 'bad-input'): number {
  const version = /^\d{1,10}$/.test(text) ? Number(text) : Number.NaN;
  if (!(version >= 1 && version <= MAX_VERSION))
    throw new RegistryError(code, `${VERSION_RULE}, got ${shown(text)}`);
  return version;
}

/** Refuses (RegistryError 'bad-input') an alias move's reason that is empty or longer than a paragraph. */
export function checkReason(reason: string): void {
  if (typeof reason !== 'string' || reason.trim() === '')
    throw new RegistryError('bad-input', 'an alias move needs a reason (it is the audit trail)');
  if (reason.length > MAX_REASON_LENGTH) {
    throw new RegistryError(
      'bad-input',
      `the reason is ${reason.length} characters; at most ${MAX_REASON_LENGTH} (it is read in the history)`,
    );
  }
}
