/**
 * Benchmark: generating payment windows. The baseline in the same run is the floor the generator
 * cannot beat: drawing the same number of uniforms from the same pure-rand generator and doing nothing
 * else. The ratio says how much the world itself (lookups, transcendental functions, 100k objects)
 * costs on top of the randomness.
 *
 *   pnpm bench payments [--size 100000] [--runs 7]
 */
import { intArg, measure, ms, type Timing, time } from '@mlops-lab/benchkit';
import { createRng, generatePayments } from '../src/index.ts';

const size = intArg('size', 100_000);
const runs = intArg('runs', 7);
/** Uniforms per event: 12 input draws (fixed by design) + 1 label + 1 timestamp spacing. */
const UNIFORMS_PER_EVENT = 14;

const window = (seed: number) => ({ seed, size, start: Date.UTC(2024, 0, 1), durationMs: 86_400_000 });
const allKnobs = {
  numericShift: { amount: 0.5 },
  categoryMix: { travel: 12 },
  newCategory: { value: 'crypto', share: 0.05 },
  nullFlood: { distanceKm: 0.1 },
  unitChange: { feature: 'amount' as const, factor: 100 },
  season: 0.5,
};

const cold = measure(() => generatePayments(window(0))); // builds the population, JIT still cold

let sink = 0;
const baseline = time(runs, (run) => {
  const rng = createRng(run);
  for (let i = 0; i < size * UNIFORMS_PER_EVENT; i++) sink += rng.next();
});
const healthy = time(runs, (run) => generatePayments(window(run + 1)));
generatePayments({ ...window(0), drift: allKnobs }); // reference stats for numericShift, once
const knobs = time(runs, (run) => generatePayments({ ...window(run + 1), drift: allKnobs }));

const rows: [string, Timing][] = [
  ['first call (cold: population, JIT)', cold],
  [`baseline: ${size * UNIFORMS_PER_EVENT} uniforms`, baseline],
  [`generatePayments ${size}`, healthy],
  [`generatePayments ${size}, six knobs`, knobs],
];
console.log(`payments benchmark: ${size} events, median of ${runs} runs (Node ${process.version})`);
console.log(`  ${''.padEnd(38)} ${'wall'.padStart(11)} ${'cpu'.padStart(11)}  cpu vs baseline`);
for (const [name, t] of rows) {
  const ratio = name.startsWith('baseline') ? '' : `x${(t.cpu / baseline.cpu).toFixed(1)}`;
  console.log(`  ${name.padEnd(38)} ${ms(t.wall)} ${ms(t.cpu)}  ${ratio}`);
}
console.log(`  throughput (wall, warm): ${((size / healthy.wall) * 1000).toFixed(0)} events/s`);
if (Number.isNaN(sink)) console.log('unreachable: keeps the baseline loop from being optimised away');
