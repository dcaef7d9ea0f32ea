import { acquire } from '@mlops-lab/services';
import { defineFeatureView } from '../src/definitions.ts';
import { createSourceTable, quoteIdent } from '../src/offline-source.ts';
import { latestPerEntitySql, latestPerEntityParams } from '../src/online-source.ts';
import { valuesEncoder, hashKey } from '../src/online-keys.ts';
const enc0 = (v: any) => v;
import { writeEncoded, getOnlineFeatures, interpretReply } from '../src/online.ts';
const T0 = Date.UTC(2024, 0, 1);
const FEATURES = Array.from({ length: 10 }, (_, j) => `f${j}`);
const view = defineFeatureView({ name: 'bench_stats', entity: { name: 'entity', joinKeys: ['entity_id'] },
  source: { table: 'bench_stats_src', eventTimestampColumn: 'event_ts', createdTimestampColumn: 'created_ts' },
  features: FEATURES.map((name) => ({ name, type: 'float' as const })), ttlMs: 86_400_000, owner: 'bench', description: '' });
const N = Number(process.argv[2] ?? 100000);
const s = await acquire({ needs: ['postgres', 'redis'], namespace: 'prof', ephemeral: true, log: () => {} });
try {
  await createSourceTable(s.pg, view);
  const cols = FEATURES.map(quoteIdent).join(', ');
  const exprs = FEATURES.map((_, j) => `((i * ${j + 7}) % 1000) / 10.0`).join(', ');
  let t = performance.now();
  await s.pg.query(`INSERT INTO bench_stats_src (entity_id, event_ts, created_ts, ${cols}) SELECT i::text, to_timestamp((${T0} + (i % 86400) * 1000) / 1000.0), to_timestamp((${T0} + (i % 86400) * 1000) / 1000.0), ${exprs} FROM generate_series(0, ${N - 1}) AS i`);
  await s.pg.query('ANALYZE bench_stats_src');
  console.log('insert', performance.now() - t);
  const encode = valuesEncoder(view);
  const c = await s.pg.connect();
  const sql = latestPerEntitySql(view, false);
  console.log((await c.query('EXPLAIN ' + sql.replace('$1::timestamptz', `'1970-01-01'::timestamptz`).replace('$2::timestamptz', `'2030-01-01'::timestamptz`))).rows.map(r => r['QUERY PLAN']).join('\n'));
  t = performance.now();
  await c.query(`DECLARE cc NO SCROLL CURSOR WITH HOLD FOR ${sql}`, latestPerEntityParams(0, T0 + 86400000, null));
  console.log('declare', performance.now() - t);
  let fetchMs = 0, encMs = 0, redisMs = 0, n = 0;
  const store = { redis: s.redis, key: (x: string) => s.key(x) };
  for (;;) {
    t = performance.now();
    const { rows } = await c.query({ text: 'FETCH 10000 FROM cc', rowMode: 'array' });
    fetchMs += performance.now() - t;
    if (!rows.length) break;
    n += rows.length;
    t = performance.now();
    const enc = rows.map((r: any[]) => ({ key: hashKey(store, view, [r[0]]), event: r[1], created: r[2], values: encode(r.slice(3)) }));
    encMs += performance.now() - t;
    t = performance.now();
    await writeEncoded(s.redis, enc);
    redisMs += performance.now() - t;
  }
  console.log({ n, fetchMs, encMs, redisMs });
  await c.query('CLOSE cc'); c.release();
  // batch read profile
  const keys = Array.from({ length: 1000 }, (_, k) => ({ entity_id: String(k) }));
  for (let r = 0; r < 5; r++) await getOnlineFeatures(store, view, keys, { now: T0 + 86400000 });
  const times: number[] = [];
  for (let r = 0; r < 20; r++) { t = performance.now(); await getOnlineFeatures(store, view, keys, { now: T0 + 86400000 }); times.push(performance.now() - t); }
  times.sort((a, b) => a - b); console.log('batch median', times[10]);
  // raw pipeline only
  const fields = ['@event', '@created', '@values'];
  const hk = keys.map((k) => hashKey(store, view, [k.entity_id]));
  const t2: number[] = [];
  for (let r = 0; r < 20; r++) { t = performance.now(); const p = s.redis.pipeline(); for (const k of hk) p.hmget(k, ...fields); await p.exec(); t2.push(performance.now() - t); }
  t2.sort((a, b) => a - b); console.log('raw pipeline hmget median', t2[10]);
} finally { await s.close(); }
