/**
 * Benchmark: generating payment windows. The baseline in the same run is the floor the generator
 * cannot beat: drawing the same number of uniforms from the same pure-rand generator and doing nothing
 * else. The ratio says how much the world itself (lookups, transcendental functions, 100k objects)
 * costs on top of the randomness.
 *
 *   pnpm bench payments [--quick] [--size 100000] [--runs 7]   (--quick: 10,000 events, 3 runs)
 */
import { createRng, generatePayments } from '@mlops-lab/datagen';
import { flag, intArg, measure, report, time } from '../src/index.ts';

const quick = flag('quick');
const size = intArg('size', quick ? 10_000 : 100_000);
const runs = intArg('runs', quick ? 3 : 7);
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
if (Number.isNaN(sink)) console.log('unreachable: keeps the baseline loop from being optimised away');

const eventsPerSecond = (size / healthy.wall) * 1000;
report({
  bench: 'payments',
  title: `payments benchmark: ${size} events, median of ${runs} runs (Node ${process.version})`,
  columns: [
    { key: 'wall', unit: 'ms' },
    { key: 'cpu', unit: 'ms' },
  ],
  ratioOn: ['cpu'],
  rows: [
    { label: 'first call (cold: population, JIT)', values: { ...cold } },
    { label: `baseline: ${size * UNIFORMS_PER_EVENT} uniforms`, key: 'uniforms', values: { ...baseline } },
    { label: `generatePayments ${size}`, key: 'generate', vs: 'uniforms', values: { ...healthy } },
    { label: `generatePayments ${size}, six knobs`, key: 'knobs', vs: 'uniforms', values: { ...knobs } },
  ],
  notes: [`throughput (wall, warm): ${eventsPerSecond.toFixed(0)} events/s`],
  json: {
    size,
    runs,
    coldMs: cold.wall,
    baselineMs: baseline.wall,
    generateMs: healthy.wall,
    knobsMs: knobs.wall,
    eventsPerSecond,
  },
});
