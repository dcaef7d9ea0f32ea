/**
 * Snapshots on real Postgres (DATABASE_URL when set, else the embedded PGlite): a snapshot taken,
 * the source then changed by inserts, updates and deletes, and the snapshot still reads back byte for
 * byte; the same rows give the same id; a history row rewritten in place is named; the diff of two
 * snapshots is exact; garbage collection keeps what a pinned snapshot reads.
 */
import { generatePayments } from '@mlops-lab/datagen';
import { testServices } from '@mlops-lab/services/vitest';
import { describe, expect, it } from 'vitest';
import {
  collectGarbage,
  createSnapshot,
  DatasetError,
  datasetsMigrations,
  diffSnapshots,
  getSnapshot,
  readAsOf,
  readSnapshot,
  trackTable,
  verifySnapshot,
} from './index.ts';

const services = testServices({
  needs: ['postgres'],
  namespace: 'datasets',
  prepare: async (s) => {
    await s.migrate('datasets', datasetsMigrations);
    await s.pg.query(
      `CREATE TABLE pay (id text PRIMARY KEY, ts float8 NOT NULL, amount float8, channel text, label int4 NOT NULL)`,
    );
    const events = generatePayments({
      seed: 3,
      size: 3000,
      start: Date.UTC(2024, 0, 1),
      durationMs: 86_400_000,
    });
    await s.pg.query(
      `INSERT INTO pay SELECT * FROM unnest($1::text[], $2::float8[], $3::float8[], $4::text[], $5::int4[])`,
      [
        events.map((e) => e.eventId),
        events.map((e) => e.timestamp),
        events.map((e) => e.amount),
        events.map((e) => e.channel),
        events.map((e) => e.label),
      ],
    );
    await trackTable(s.pg, { table: 'pay', key: 'id' });
  },
});

const bytes = (rows: unknown[]) => JSON.stringify(rows);
const current = async () =>
  (await services.pg.query(`SELECT to_jsonb(p) AS r FROM pay p ORDER BY id COLLATE "C"`)).rows.map(
    (x) => x.r,
  );

describe('snapshots of a tracked table', () => {
  it('reads back byte for byte after later inserts, updates and deletes; the same rows give the same id', async () => {
    const before = await current();
    const snap = await createSnapshot(services.pg, { table: 'pay', definitions: { view: 'pay', v: 1 } });
    expect(snap).toMatchObject({ rowCount: 3000, chunks: 3, created: true });
    expect((await createSnapshot(services.pg, { table: 'pay', definitions: { v: 1, view: 'pay' } })).id).toBe(
      snap.id,
    );
    const asOf = new Date();

    await services.pg.query(`INSERT INTO pay VALUES ('a_new', 1, 9.99, 'web', 0)`);
    await services.pg.query(
      `UPDATE pay SET label = 1 - label WHERE id IN (SELECT id FROM pay ORDER BY id COLLATE "C" LIMIT 25)`,
    );
    await services.pg.query(`UPDATE pay SET amount = amount * 100 WHERE channel = 'pos'`);
    await services.pg.query(
      `DELETE FROM pay WHERE id IN (SELECT id FROM pay ORDER BY id COLLATE "C" DESC LIMIT 40)`,
    );
    expect(bytes(await current())).not.toBe(bytes(before));

    expect(bytes(await readSnapshot(services.pg, snap.id))).toBe(bytes(before));
    expect(bytes(await readAsOf(services.pg, 'pay', asOf))).toBe(bytes(before));
    expect((await verifySnapshot(services.pg, snap.id)).ok).toBe(true);

    const later = await createSnapshot(services.pg, { table: 'pay', definitions: { view: 'pay', v: 1 } });
    expect(later.id).not.toBe(snap.id);
    const diff = await diffSnapshots(services.pg, snap.id, later.id);
    const count = (c: string) => diff.filter((d) => d.change === c).length;
    const pos = before.filter((r) => r.channel === 'pos' && r.amount !== null);
    expect(count('added')).toBe(1);
    expect(count('removed')).toBe(40);
    // Relabelled or rescaled rows, less those deleted afterwards.
    expect(count('changed')).toBe(
      new Set(
        [...before.slice(0, 25).map((r) => r.id), ...pos.map((r) => r.id)].filter(
          (id) => !before.slice(-40).some((r) => r.id === id),
        ),
      ).size,
    );
  });

  it('refuses to rewrite history in place, and names the rows when a bypass did', async () => {
    const snap = await createSnapshot(services.pg, { table: 'pay', definitions: { case: 'tamper' } });
    await expect(
      services.pg.query(`UPDATE pay__history SET row = jsonb_set(row, '{label}', '1')`),
    ).rejects.toThrow(/append-only/);
    const client = await services.pg.connect();
    try {
      await client.query('BEGIN');
      // What bulk loaders and logical replication do: no triggers fire, the guard included.
      await client.query(`SET LOCAL session_replication_role = replica`);
      await client.query(
        `UPDATE pay__history SET row = jsonb_set(row, '{label}', '1')
         WHERE valid_to IS NULL AND key IN (SELECT id FROM pay WHERE label = 0 ORDER BY id COLLATE "C" LIMIT 3)`,
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    const v = await verifySnapshot(services.pg, snap.id);
    expect(v.ok).toBe(false);
    expect(v.rewrittenRows).toHaveLength(3);
    expect(v.changedChunks.length).toBeGreaterThanOrEqual(1);
    const err = await readSnapshot(services.pg, snap.id).catch((e) => e);
    expect(err).toBeInstanceOf(DatasetError);
    expect(err.code).toBe('tampered');
    expect(err.message).toContain(v.rewrittenRows[0].key);
  });

  it('garbage collection keeps every version a pinned snapshot reads, and a collected one fails loudly', async () => {
    const pinned = await createSnapshot(services.pg, { table: 'pay', definitions: { case: 'gc-pinned' } });
    const loose = await createSnapshot(services.pg, { table: 'pay', definitions: { case: 'gc-loose' } });
    const pinnedRows = bytes(await readSnapshot(services.pg, pinned.id, { verify: false }));
    await services.pg.query(`UPDATE pay SET amount = coalesce(amount, 0) + 1 WHERE channel = 'web'`);
    const gc = await collectGarbage(services.pg, {
      table: 'pay',
      before: new Date(Date.now() + 60_000),
      pinned: [pinned.id],
    });
    expect(gc.snapshots).toBeGreaterThanOrEqual(1);
    expect(gc.versions).toBeGreaterThan(0);
    expect(bytes(await readSnapshot(services.pg, pinned.id, { verify: false }))).toBe(pinnedRows);
    const err = await getSnapshot(services.pg, loose.id).catch((e) => e);
    expect(err.code).toBe('collected');
  });

  it('a renamed column is a change of every row: the next snapshot has the new shape, the old one keeps its own', async () => {
    const before = await createSnapshot(services.pg, { table: 'pay', definitions: { case: 'ddl' } });
    const old = bytes(await readSnapshot(services.pg, before.id, { verify: false }));
    await services.pg.query('ALTER TABLE pay RENAME COLUMN amount TO amount_usd');
    const after = await createSnapshot(services.pg, { table: 'pay', definitions: { case: 'ddl' } });
    expect(after.id).not.toBe(before.id);
    const rows = await readSnapshot(services.pg, after.id);
    expect(Object.keys(rows[0])).toContain('amount_usd');
    expect(Object.keys(rows[0])).not.toContain('amount');
    expect(bytes(await readSnapshot(services.pg, before.id, { verify: false }))).toBe(old);
    expect((await createSnapshot(services.pg, { table: 'pay', definitions: { case: 'ddl' } })).id).toBe(
      after.id,
    );
  });

  it('refuses bad names and ids before any query', async () => {
    await expect(createSnapshot(services.pg, { table: 'pay; DROP TABLE pay' })).rejects.toThrow(
      /letters, digits/,
    );
    await expect(getSnapshot(services.pg, 'abc')).rejects.toThrow(/64 lowercase hex/);
    await expect(createSnapshot(services.pg, { table: 'untracked' })).rejects.toThrow(/not tracked/);
  });
});
