/**
 * @mlops-lab/datasets: versioned training data in Postgres (Q13). System-versioned rows of tracked
 * tables, as-of reads, content-addressed snapshots (a Merkle root over canonically hashed rows and
 * the definitions they were built with), verification that names rewritten rows, one-query row
 * diffs, and garbage collection that keeps what pinned snapshots read.
 */
import type { Migration } from '@mlops-lab/services';
import { columnsMigrations, trackingMigrations as tracking } from './history.ts';
import { snapshotMigrations } from './snapshot.ts';

export { canonicalJson } from './canonical.ts';
export { DatasetError, type DatasetErrorCode } from './errors.ts';
export { type Collected, collectGarbage } from './gc.ts';
export { readAsOf, trackTable } from './history.ts';
export { historyOf } from './names.ts';
export {
  CHUNK,
  createSnapshot,
  describeMismatch,
  diffSnapshots,
  getSnapshot,
  type RowChange,
  readSnapshot,
  type Snapshot,
  sortRows,
  type Verification,
  verifySnapshot,
} from './snapshot.ts';

/** Every migration of the package, in order (owner `datasets`). */
export const datasetsMigrations: Migration[] = [...tracking, ...snapshotMigrations, ...columnsMigrations];
