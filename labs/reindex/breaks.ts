/**
 * The reindex lab's checks and faults (Q24). Each fault sits in a real code path: the outbox trigger
 * that writes the change feed, and the consumer's per-document hook that `syncIndex` calls. The
 * index, the feed reader and the audit are the package's own, unchanged.
 */
import type { LabBreak } from '@mlops-lab/labkit';

export const CHECK = {
  updates: 'every updated document is found by its new text (top 10)',
  deletes: 'no deleted document is returned for its own text',
  audit: 'the audit finds index and source in sync (no stale, missing or orphaned vector)',
  position: 'the feed position has caught up (0 events behind)',
  compaction: 'compaction leaves a graph of live vectors only (no dead nodes)',
} as const;

export interface ConsumerConfig {
  /** The outbox trigger fires on INSERT and UPDATE only: hard deletes never reach the feed. */
  feedSkipsDeletes: boolean;
  /** The consumer's after-apply hook throws on one event, so every batch from there on is retried forever. */
  poisonEvent: boolean;
}

export function configFor(fault: string | null): ConsumerConfig {
  return { feedSkipsDeletes: fault === 'missed-delete', poisonEvent: fault === 'stuck-feed' };
}

export const BREAKS: LabBreak[] = [
  {
    name: 'missed-delete',
    symptom: 'documents deleted from Postgres are still the top hit for their own text after the sync',
    hint: 'count the delete events in document_changes; which operations does the feed record?',
    explanation:
      'The outbox trigger was declared AFTER INSERT OR UPDATE (the DELETE was left out, as a CDC ' +
      'connector configured to skip delete operations would do). A hard DELETE removes the row but writes ' +
      'no event, so the consumer has nothing to apply: the position catches up, every update lands, and ' +
      'the deleted documents stay in the index and keep being retrieved. Only a comparison with the source ' +
      'sees it: the audit lists them as orphaned (in the index, gone from the source). Record every ' +
      'operation in the outbox, treat deletes as first-class events, and reconcile periodically ' +
      '(auditIndex, then requeueDocuments) instead of trusting the feed alone (Q24).',
    flips: [CHECK.deletes, CHECK.audit],
  },
  {
    name: 'stuck-feed',
    symptom:
      'updates made in Postgres never show up in search; the consumer retries and its position does not move',
    hint: 'compare the feed position before and after each sync attempt, and read the error it logs',
    explanation:
      "The consumer's after-apply hook (here: publishing an 'indexed' notification) throws on one event, " +
      'a poison message. syncIndex writes the position only after a whole batch is applied, so the batch ' +
      'is replayed on every retry and fails at the same event: the position stops, every later change ' +
      'waits behind it, and the index serves the old texts. Nothing crashes visibly: the retry loop logs ' +
      'and tries again. The audit reports the unapplied updates as stale. Alert on feed lag (events ' +
      'behind the position), and move a poison event aside (a dead-letter table) after N attempts ' +
      'so the feed keeps moving (Q24).',
    flips: [CHECK.updates, CHECK.audit, CHECK.position],
  },
];
