import { runLab } from '@mlops-lab/labkit';
import lab from './lab.ts';

const quick = !process.argv.includes('--full');
const fault = process.argv.find((a) => a.startsWith('--fault='))?.slice(8) || null;
const seeds = process.argv.filter((a) => /^\d+$/.test(a)).map(Number);
let fails = 0;
for (const seed of seeds) {
  const r = await runLab(lab, { quick, seed, fault, ephemeral: true, silent: true });
  const exp = new Set(lab.breaks.find((b) => b.name === fault)?.flips ?? []);
  const bad = r.checks.filter((c) => c.passed === exp.has(c.name));
  if (bad.length) {
    fails++;
    console.log(seed, bad.map((c) => `${c.name}: ${c.detail}`).join(' || '));
  }
}
console.log('done', seeds.length, 'fails', fails);
