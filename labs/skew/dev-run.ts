import { runLab } from '@mlops-lab/labkit';
import lab from './lab.ts';

const args = process.argv.slice(2);
const fault = args.find((a) => !a.startsWith('--')) ?? null;
const seed = Number(args.find((a) => a.startsWith('--seed='))?.slice(7) ?? 1);
const report = await runLab(lab, { quick: args.includes('--quick'), fault, seed, ephemeral: true });
process.exit(report.passed ? 0 : 1);
