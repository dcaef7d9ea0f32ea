import { acquire } from '@mlops-lab/services';
import { defineFeatureView } from '../src/definitions.ts';
import { createSourceTable, quoteIdent } from '../src/offline-source.ts';
import { materialize } from '../src/materialize.ts';
const T0 = Date.UTC(2024, 0, 1);
const FEATURES = Array.from({ length: 10 }, (_, j) => `f${j}`);
const view = defineFeatureView({ name: 'bench_stats', entity: { name: 'entity', joinKeys: ['entity_id'] },
  source: { table: 'bench_stats_src', eventTimestampColumn: 'event_ts', createdTimestampColumn: 'created_ts' },
  features: FEATURES.map((name) => ({ name, type: 'float' as const })), ttlMs: 86_400_000, owner: 'bench', description: '' });
const N = Number(process.argv[2] ?? 100000);
const chunk = Number(process.argv[3] ?? 10000);
const s = await acquire({ needs: ['postgres', 'redis'], namespace: 'prof', ephemeral: true, log: () => {} });
try {
  await createSourceTable(s.pg, view);
  const cols = FEATURES.map(quoteIdent).join(', ');
  const exprs = FEATURES.map((_, j) => `((i * ${j + 7}) % 1000) / 10.0`).join(', ');
  await s.pg.query(`INSERT INTO bench_stats_src (entity_id, event_ts, created_ts, ${cols}) SELECT i::text, to_timestamp((${T0} + (i % 86400) * 1000) / 1000.0), to_timestamp((${T0} + (i % 86400) * 1000) / 1000.0), ${exprs} FROM generate_series(0, ${N - 1}) AS i`);
  await s.pg.query('ANALYZE bench_stats_src');
  const target = { pg: s.pg, redis: s.redis, key: (x: string) => s.key(x), migrate: (o: string, m: any) => s.migrate(o, m) };
  const c0 = process.cpuUsage();
  const r = await materialize(target, view, 0, T0 + 86400000, { chunkSize: chunk });
  const c = process.cpuUsage(c0);
  console.log(r.elapsedMs, 'cpu', (c.user + c.system) / 1000, (globalThis as any).__t);
  const c1 = process.cpuUsage();
  const r2 = await materialize(target, view, 0, T0 + 86400000, { chunkSize: chunk });
  const c2 = process.cpuUsage(c1);
  console.log('rerun', r2.elapsedMs, 'cpu', (c2.user + c2.system) / 1000, (globalThis as any).__t);
} finally { await s.close(); }
