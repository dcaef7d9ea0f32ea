/**
 * The data-versioning lab's checks and the faults that flip them: a history rewritten in place
 * (caught by the snapshot's hashes, which name the rows) and a retrain that reads the live table
 * instead of the pinned snapshot (nothing fails loudly; the artifact silently differs).
 */
import type { LabBreak } from '@mlops-lab/labkit';

export const CHECK = {
  contentAddressed: 'the same rows give the same snapshot id',
  asOfExact: 'the snapshot reads back byte for byte after inserts, updates and deletes',
  verifies: 'the snapshot verifies against its id',
  reproduced: 'retraining from the registered data spec reproduces the artifact',
  diffExact: 'the snapshot diff names exactly the rows that changed',
  pinnedSurvives: 'garbage collection keeps the snapshot a model was trained on',
} as const;

export const BREAKS: LabBreak[] = [
  {
    name: 'mutated-history',
    symptom:
      'the retrain is refused: the snapshot no longer matches its id, and a handful of event ids are named',
    hint: 'which table did the label fix write to, and was the versioning trigger running when it did?',
    explanation:
      'A "label correction" job rewrote past rows in place: it updated the history table directly, with ' +
      '`session_replication_role = replica` so that no trigger fired (what bulk loaders and logical ' +
      'replication do), the append-only guard included. The rows the model was trained on no longer exist ' +
      'as they were. Every version carries the sha256 of its bytes, recorded when it was written, and the ' +
      'snapshot id is a Merkle root over them, so verification recomputes both, names the rewritten rows ' +
      'and refuses to train on them. Corrections belong in the source table, where they become new ' +
      'versions and the old snapshot stays reproducible; and a role that can skip triggers should not run jobs.',
    flips: [CHECK.asOfExact, CHECK.verifies, CHECK.reproduced],
  },
  {
    name: 'unpinned-data',
    symptom: 'every data check passes, yet the retrained model has another artifact hash and other metrics',
    hint: 'what did the retrain read: the rows the model was trained on, or the table as it is today?',
    explanation:
      'The retrain read "latest": the payments table as it is now, after a day of new payments, late ' +
      'chargebacks that flipped labels and deletions. Nothing errs: the model trains and registers fine, ' +
      'but it is another model, and nobody can say any more what data the first one saw. Reproducibility ' +
      'needs the run to point at an immutable snapshot id (here, the registry data spec ' +
      '`snapshot:<sha256>`), not at a table name.',
    flips: [CHECK.reproduced],
  },
];
