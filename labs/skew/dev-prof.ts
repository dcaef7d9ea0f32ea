import { acquire } from '@mlops-lab/services';
import { fitArtifact, offlineFeatures, offlineMigrations } from './offline.ts';
import { activityRows, loadActivity } from './store.ts';
import { buildWorld, loadWorld, SERVE_START, timeline, worldMigrations } from './world.ts';

const s = await acquire({ needs: ['postgres', 'redis'], namespace: 'prof', ephemeral: true, log: () => {} });
const t = timeline(process.argv.includes('--quick'));
let t0 = performance.now();
const lap = (what: string) => {
  const n = performance.now();
  console.log(what, (n - t0).toFixed(0), 'ms');
  t0 = n;
};
await s.migrate('w', worldMigrations);
await s.migrate('o', offlineMigrations);
lap('migrate');
const w = buildWorld(1, t);
lap('generate');
await loadWorld(s, w);
lap('insert payments');
const rows = activityRows([...w.history, ...w.days.flat()]);
lap('activity rows');
await loadActivity(s, rows);
lap('insert activity');
await fitArtifact(s, 2, t.trainStart, SERVE_START, 'x');
lap('fit');
const tr = await offlineFeatures(s, { fromMs: t.trainStart, toMs: SERVE_START }, 2);
lap(`offline ${tr.length}`);
await s.close();
