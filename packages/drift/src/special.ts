/**
 * @mlops-lab/drift/special: the lower-level face of the package, for a caller building its own test
 * (Q27): the KS statistic and test on samples it has already sorted, and the distribution tails the
 * tests stand on, each matching scipy 1.17 (README.md names the scipy function of each).
 */
export { chi2Sf, gammainc, gammaincc } from './gamma.ts';
export { kstwoSf } from './kolmogorov.ts';
export { ks2SampleSorted, ksStatisticSorted } from './ks.ts';
export { smirnovSf } from './smirnov.ts';
