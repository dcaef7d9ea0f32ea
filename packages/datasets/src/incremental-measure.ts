/**
 * What an incremental snapshot costs (Q13): a tracked table of N rows snapshotted, 1% of its rows
 * updated, snapshotted again; the time of each step, the history's growth in rows and bytes
 * (pg_total_relation_size), and the one-query diff of the two snapshots. Prints what it measured.
 *
 *   DATABASE_URL=postgres://... npx tsx packages/datasets/src/incremental-measure.ts [--rows 1000000]
 */
import { acquire, parseCommandLine, runCommand, UsageError } from '@mlops-lab/services';
import { createSnapshot, datasetsMigrations, diffSnapshots, trackTable } from './index.ts';

async function main(): Promise<number> {
  const { values } = parseCommandLine(['rows']);
  const rows = Number(values.rows ?? '1000000');
  if (!Number.isInteger(rows) || rows < 1000 || rows > 10_000_000)
    throw new UsageError(`--rows must be an integer 1000..10000000, got ${values.rows}`);
  const services = await acquire({ needs: ['postgres'], namespace: 'datasets_measure' });
  const ms = (t: number) => `${((performance.now() - t) / 1000).toFixed(1)} s`;
  const size = async () =>
    Number((await services.pg.query(`SELECT pg_total_relation_size('t__history') AS b`)).rows[0].b);
  try {
    await services.migrate('datasets', datasetsMigrations);
    await services.pg.query('CREATE TABLE t (id text PRIMARY KEY, amount float8, label int4, channel text)');
    let t = performance.now();
    await services.pg.query(
      `INSERT INTO t SELECT 'r' || lpad(i::text, 8, '0'), (i::bigint * 7919 % 100000) / 100.0, (i % 9 = 0)::int, (ARRAY['web','app','pos'])[1 + i % 3]
       FROM generate_series(1, $1) i`,
      [rows],
    );
    console.log(`insert ${rows} rows: ${ms(t)}`);
    t = performance.now();
    await trackTable(services.pg, { table: 't', key: 'id' });
    console.log(`track (history of ${rows} versions): ${ms(t)}`);
    t = performance.now();
    const a = await createSnapshot(services.pg, { table: 't' });
    const before = await size();
    console.log(`snapshot 1: ${ms(t)}, ${a.chunks} chunks, history ${(before / 1e6).toFixed(1)} MB`);
    t = performance.now();
    await services.pg.query(
      `UPDATE t SET label = 1 - label WHERE ('x' || substr(md5(id), 1, 8))::bit(32)::int % 100 = 0`,
    );
    console.log(`update ~1% of rows: ${ms(t)}`);
    t = performance.now();
    const b = await createSnapshot(services.pg, { table: 't' });
    const after = await size();
    const versions = Number((await services.pg.query('SELECT count(*) AS n FROM t__history')).rows[0].n);
    console.log(
      `snapshot 2: ${ms(t)}; history ${versions} versions (+${(100 * (versions / rows - 1)).toFixed(2)}%), ` +
        `${(after / 1e6).toFixed(1)} MB (+${(100 * (after / before - 1)).toFixed(2)}%)`,
    );
    t = performance.now();
    const diff = await diffSnapshots(services.pg, a.id, b.id);
    console.log(`diff (one query): ${diff.length} changed rows in ${ms(t)}`);
    return 0;
  } finally {
    await services.close();
  }
}

runCommand('npx tsx packages/datasets/src/incremental-measure.ts [--rows N]', main);
