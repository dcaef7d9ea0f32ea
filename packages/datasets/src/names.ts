/**
 * Table and column names accepted by @mlops-lab/datasets: plain SQL identifiers, checked before they
 * are spliced into a statement (they cannot be bind parameters), and the history table's name.
 */
import { DatasetError } from './errors.ts';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]{0,50}$/;

/** `name`, double-quoted, if it is a plain identifier; else DatasetError('bad-input') naming `what`. */
export function ident(name: string, what: string): string {
  if (typeof name !== 'string' || !IDENT.test(name)) {
    throw new DatasetError(
      'bad-input',
      `${what} must be letters, digits and _ (1-51, not starting with a digit), got ${JSON.stringify(String(name).slice(0, 60))}`,
    );
  }
  return `"${name}"`;
}

/** The history table of `table`, unquoted (`payments` -> `payments__history`). */
export function historyOf(table: string): string {
  ident(table, 'table');
  return `${table}__history`;
}
