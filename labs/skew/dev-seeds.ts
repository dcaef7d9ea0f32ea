import { runLab } from '@mlops-lab/labkit';
import lab from './lab.ts';

const quick = !process.argv.includes('--full');
const seeds = process.argv.filter((a) => /^\d+$/.test(a)).map(Number);
const faults = [null, ...lab.breaks.map((b) => b.name)];
for (const seed of seeds)
  for (const fault of faults) {
    const t0 = performance.now();
    const r = await runLab(lab, { quick, seed, fault, ephemeral: true, silent: true });
    const exp = new Set(lab.breaks.find((b) => b.name === fault)?.flips ?? []);
    const bad = r.checks.filter((c) => c.passed === exp.has(c.name)).map((c) => c.name);
    const m = r.metrics;
    console.log(
      seed,
      fault ?? 'healthy',
      bad.length ? `UNEXPECTED: ${bad.join(' | ')}` : 'ok',
      `aucGap ${(Number(m.auc_offline) - Number(m.auc_served)).toFixed(4)} dec ${m.decisions_changed} skew ${Number(m.skew_rate_before_drift).toFixed(3)}/${Number(m.skew_rate_after_drift).toFixed(3)} flag ${m.drift_first_flagged_day} ${((performance.now() - t0) / 1000).toFixed(1)}s`,
    );
    if (bad.length) for (const c of r.checks) if (bad.includes(c.name)) console.log('   ', c.detail);
  }
