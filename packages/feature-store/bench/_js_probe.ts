import { defineFeatureView } from '../src/definitions.ts';
import { hashKey, entityKeyParts, valuesEncoder, numericFeatures } from '../src/online-keys.ts';
import { interpretReply } from '../src/online.ts';
const FEATURES = Array.from({ length: 10 }, (_, j) => `f${j}`);
const view = defineFeatureView({ name: 'bench_stats', entity: { name: 'entity', joinKeys: ['entity_id'] },
  source: { table: 'bench_stats_src', eventTimestampColumn: 'event_ts', createdTimestampColumn: 'created_ts' },
  features: FEATURES.map((name) => ({ name, type: 'float' as const })), ttlMs: 86_400_000, owner: 'bench', description: '' });
const store = { redis: null as any, key: (x: string) => `run:prof:abc:${x}` };
const enc = valuesEncoder(view);
const keys = Array.from({ length: 1000 }, (_, k) => ({ entity_id: String(k) }));
const replies = keys.map((_, i) => [String(1704067200000 + i), String(1704067200000 + i), enc(FEATURES.map((_, j) => (i * (j + 7) % 1000) / 10))]);
const numeric = numericFeatures(view);
for (let round = 0; round < 5; round++) {
  let t = performance.now();
  for (let r = 0; r < 100; r++) keys.map((k, i) => hashKey(store, view, entityKeyParts(view, k, i)));
  const a = (performance.now() - t) / 100;
  t = performance.now();
  for (let r = 0; r < 100; r++) replies.map((rep, i) => interpretReply(view, FEATURES, rep, 1704067200000 + 86400000, keys[i], numeric));
  const b = (performance.now() - t) / 100;
  console.log({ keysMs: a, interpretMs: b });
}
