/**
 * Retraining from a snapshot reproduces the artifact (Q13), on real Postgres (DATABASE_URL when set,
 * else the embedded PGlite): train on a snapshot, then insert, update and delete source rows; the
 * snapshot still reads back byte for byte and retraining from it gives the same artifact hash (the
 * version it made is reused), while a snapshot of the changed table trains another model.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePayments } from '@mlops-lab/datagen';
import {
  collectGarbage,
  createSnapshot,
  datasetsMigrations,
  getSnapshot,
  readSnapshot,
  trackTable,
} from '@mlops-lab/datasets';
import { getVersion, pinnedSnapshots } from '@mlops-lab/registry';
import { testServices } from '@mlops-lab/services/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { createPaymentsTable, insertPayments, PAYMENTS_ORDER } from './ci/payments-source.ts';
import { trainFromSnapshot } from './snapshot-train.ts';

const artifactsRoot = mkdtempSync(join(tmpdir(), 'snapshot-train-'));
afterAll(() => rmSync(artifactsRoot, { recursive: true, force: true }));

const services = testServices({
  needs: ['postgres'],
  namespace: 'snapshot_train',
  prepare: async (s) => {
    await s.migrate('datasets', datasetsMigrations);
    await createPaymentsTable(s.pg, 'payments');
    await insertPayments(
      s.pg,
      'payments',
      generatePayments({ seed: 11, size: 1600, start: Date.UTC(2024, 0, 1), durationMs: 7 * 86_400_000 }),
    );
    await trackTable(s.pg, { table: 'payments', key: 'eventId' });
  },
});

describe('trainFromSnapshot', () => {
  it('reproduces the artifact hash after the source table changed; the version records the snapshot', async () => {
    const snap = await createSnapshot(services.pg, { table: 'payments', definitions: { transform: 1 } });
    const rows = JSON.stringify(await readSnapshot(services.pg, snap.id, { orderBy: PAYMENTS_ORDER }));
    const first = await trainFromSnapshot({ services, snapshot: snap.id, seed: 5, epochs: 3, artifactsRoot });
    expect((await getVersion(services.pg, 'payments-fraud', first.version)).dataRef).toBe(
      `snapshot:${snap.id}`,
    );

    await insertPayments(
      services.pg,
      'payments',
      generatePayments({ seed: 12, size: 200, start: Date.UTC(2024, 0, 8), durationMs: 86_400_000 }),
    );
    await services.pg.query(
      `UPDATE payments SET label = 1 - label WHERE "eventId" IN (SELECT "eventId" FROM payments ORDER BY "timestamp" LIMIT 30)`,
    );
    await services.pg.query(`DELETE FROM payments WHERE channel = 'pos' AND "hourOfDay" = 3`);

    expect(JSON.stringify(await readSnapshot(services.pg, snap.id, { orderBy: PAYMENTS_ORDER }))).toBe(rows);
    const again = await trainFromSnapshot({ services, snapshot: snap.id, seed: 5, epochs: 3, artifactsRoot });
    expect(again.hash).toBe(first.hash);
    expect(again).toMatchObject({ version: first.version, reused: true });

    const latest = await createSnapshot(services.pg, { table: 'payments', definitions: { transform: 1 } });
    const moved = await trainFromSnapshot({
      services,
      snapshot: latest.id,
      seed: 5,
      epochs: 3,
      artifactsRoot,
    });
    expect(moved.hash).not.toBe(first.hash);
  });

  it('garbage collection keeps the snapshots registered models were trained on', async () => {
    const loose = await createSnapshot(services.pg, { table: 'payments', definitions: { unpinned: true } });
    await services.pg.query(`UPDATE payments SET amount = amount + 1 WHERE channel = 'web'`);
    const pinned = await pinnedSnapshots(services.pg);
    expect(pinned.length).toBeGreaterThanOrEqual(2);
    expect(pinned).not.toContain(loose.id);
    const gc = await collectGarbage(services.pg, {
      table: 'payments',
      before: new Date(Date.now() + 60_000),
      pinned,
    });
    expect(gc.snapshots).toBeGreaterThanOrEqual(1);
    for (const id of pinned) expect((await readSnapshot(services.pg, id)).length).toBeGreaterThan(0);
    await expect(getSnapshot(services.pg, loose.id)).rejects.toThrow(/garbage-collected/);
  });

  it('refuses an unknown snapshot before training', async () => {
    await expect(trainFromSnapshot({ services, snapshot: 'a'.repeat(64), artifactsRoot })).rejects.toThrow(
      /no snapshot aaaaaaaaaaaa/,
    );
  });
});
