/**
 * The self-host vs hosted-API comparison of the cost lab (Q34), narrated: the assumed prices, the
 * monthly cost of each across volumes with the self-hosted side sized from the req/CPU-s this run
 * measured (all levers off and on), and the crossover volume. The cost model is in prices.ts.
 */
import { fmt, type Narrator } from '@mlops-lab/labkit';
import { apiMonthlyUsd, crossoverVolume, PRICES, selfHostMonthlyUsd, vcpusNeeded } from './prices.ts';

/** Prints the comparison; returns the crossover volume with all levers on (null: never). */
export function narrateCrossover(out: Narrator, offRate: number, onRate: number): number | null {
  out.step('Self-host vs hosted API, sized from the measured req/CPU-s (prices.ts: all assumed)');
  out.table(
    ['price (assumption, edit prices.ts)', 'value'],
    [
      ['VM $/vCPU-hour', PRICES.vcpuHourUsd],
      ['target CPU utilization', fmt.pct(PRICES.targetUtilization, 0)],
      ['minimum vCPUs (availability)', PRICES.minVcpus],
      ['fixed self-host $/month (on-call, monitoring)', PRICES.fixedMonthlyUsd],
      ['hosted API $ per 1k predictions', PRICES.apiUsdPer1k],
    ],
  );
  const volumes = [1e6, 1e7, 3e7, 1e8, 1e9, 1e10, 1e11];
  out.table(
    ['requests/month', 'vCPUs off/on', 'self-host $ all off', 'self-host $ all on', 'API $', 'cheaper'],
    volumes.map((v) => {
      const self = selfHostMonthlyUsd(v, onRate);
      const api = apiMonthlyUsd(v);
      return [
        fmt.count(v),
        `${vcpusNeeded(v, offRate)} / ${vcpusNeeded(v, onRate)}`,
        Math.round(selfHostMonthlyUsd(v, offRate)),
        Math.round(self),
        Math.round(api),
        self <= api ? 'self-host' : 'API',
      ];
    }),
  );
  const crossOn = crossoverVolume(onRate);
  const crossOff = crossoverVolume(offRate);
  const show = (x: number | null) => (x === null ? 'never' : `${fmt.count(x)} requests/month`);
  out.say(
    `crossover: self-hosting is cheaper above ${show(crossOn)} (all levers on), ${show(crossOff)} (all off). ` +
      'At these volumes the fixed cost and the availability floor set the crossover; the measured ' +
      'throughput sets the slope above it (how many vCPUs each extra request needs).',
  );
  out.pointer('labs/cost/prices.ts', 'the cost model; every price there is an assumption to edit');
  return crossOn;
}
