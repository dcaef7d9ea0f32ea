/**
 * The versioning lab's checks and faults (Q18). Each fault is a design that seems to work until a
 * version has to be changed or trusted: artifacts that can be rewritten in place, and a version
 * chosen in code rather than by configuration.
 */
import type { LabBreak } from '@mlops-lab/labkit';

export const CHECK = {
  split: 'a 5% routing change reaches the running server: v3 share of live traffic within 5 sd of 5%',
  live: 'no live request failed while the table and the alias changed (same process, no restart)',
  sticky: 'each user was answered by one version while a table was in force',
  refused: 'an invalid routing table is refused and the one in force stays',
  rollback: 'rollback by moving the alias: after it, no traffic reaches the rolled-back version',
  overwrite: 'registering version 2 again with other content is refused',
  pinned: 'a version means one set of weights: a replica started later scores exactly like the first',
  tamper: 'an artifact modified on disk is refused when loaded',
} as const;

export const BREAKS: LabBreak[] = [
  {
    name: 'mutable-artifact',
    symptom: 'version 2 gives different scores on a replica started later; nobody registered anything new',
    hint: 'how does the store find the files of version 2, and what stops them from changing?',
    explanation:
      'The models are stored by name and version (`fraud/2/weights.bin`), the way a bucket path is often ' +
      'used. A retraining job exported its newest weights to the same path, so "version 2" now means ' +
      'other weights: replicas that loaded before the write serve the old model, replicas that start ' +
      'after it serve the new one, both report version 2, and no record says anything changed. Editing a ' +
      'file by hand goes unnoticed the same way. Address artifacts by the hash of their content, refuse a ' +
      'second registration of a version with another hash, and re-hash on every load.',
    flips: [CHECK.overwrite, CHECK.pinned, CHECK.tamper],
  },
  {
    name: 'version-in-code',
    symptom: 'the routing change and the rollback are accepted, but live traffic does not move',
    hint: 'which version does the server load, and where does that choice come from?',
    explanation:
      'The server was started with the model reference written in its code (`fraud@2`), not with the ' +
      'routing table. The table in Redis changes, the alias moves, the registry records both, and the ' +
      'server never reads either: 5% never reaches v3 and the rollback never happens until someone edits ' +
      'the code and redeploys. Serve by the routing configuration (versions and aliases resolved while ' +
      'running) so a traffic change or a rollback is a config change, audited and immediate.',
    flips: [CHECK.split, CHECK.rollback],
  },
];
