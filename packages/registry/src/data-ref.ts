/**
 * A model version's data spec (Q13): `snapshot:<sha256>` when it was trained on a content-addressed
 * dataset snapshot (@mlops-lab/datasets), so "which exact rows made this model" is one lookup, and the
 * snapshots registered models were trained on are the ones garbage collection must keep.
 */
import type { Queryable } from '@mlops-lab/services/sql';
import { RegistryError } from './errors.ts';

const PREFIX = 'snapshot:';
const HEX64 = /^[0-9a-f]{64}$/;

/** The data spec of a model trained on snapshot `id` (64 lowercase hex digits). */
export function snapshotDataRef(id: string): string {
  if (!HEX64.test(id))
    throw new RegistryError(
      'bad-input',
      `a snapshot id is 64 lowercase hex digits, got ${JSON.stringify(id.slice(0, 70))}`,
    );
  return PREFIX + id;
}

/** The snapshot id in a data spec, or null when the model was trained on something else. */
export function snapshotOfDataRef(dataRef: string): string | null {
  const id = dataRef.startsWith(PREFIX) ? dataRef.slice(PREFIX.length) : '';
  return HEX64.test(id) ? id : null;
}

/** Every snapshot some registered version was trained on: what garbage collection must keep. */
export async function pinnedSnapshots(pool: Queryable): Promise<string[]> {
  const r = await pool.query(
    `SELECT DISTINCT substr(data_ref, ${PREFIX.length + 1}) AS id FROM registry_models
     WHERE data_ref LIKE '${PREFIX}%' ORDER BY 1`,
  );
  return r.rows.map((x) => x.id).filter((id) => HEX64.test(id));
}
