/**
 * The errors of @mlops-lab/datasets, typed by what the caller does next (ARCHITECTURE.md
 * "Conventions": one line that says what was wrong and what to do).
 * - `bad-input`: a name or option was refused before any query.
 * - `not-tracked` / `not-found`: the table has no history, or no snapshot has that id.
 * - `tampered`: a snapshot's rows no longer hash to its id; `mismatch` names the rows and chunks.
 * - `collected`: the rows of a snapshot were removed by garbage collection.
 */
export type DatasetErrorCode = 'bad-input' | 'not-tracked' | 'not-found' | 'tampered' | 'collected';

export class DatasetError extends Error {
  override name = 'DatasetError';
  constructor(
    readonly code: DatasetErrorCode,
    message: string,
  ) {
    super(message);
  }
}
