/**
 * Simulated labelled scores of two models on the same requests, with a known answer (Q15, Q29): the
 * binormal model (Hanley & McNeil 1982; Metz 1986, "ROC methodology in radiologic imaging"). Each
 * model's score is signal * label + unit-variance Gaussian noise, and the two models share a part of
 * their noise, as two versions of one model trained on the same features do, so their AUCs are
 * correlated and the comparison is paired. A model's true AUC is Phi(signal / sqrt 2).
 *
 * The verdict's null experiment (false-promotion rate, peeking) and the tests of the paired statistics
 * draw from it. Gaussians by Box–Muller from the caller's uniform generator (datagen's mulberry32), so
 * a seed gives the same sample on any engine.
 */
import { EvaluationInputError } from './errors.ts';

export interface PairedScoresOptions {
  n: number;
  /** Share of positive labels, in (0, 1). */
  prevalence: number;
  /** Champion's separation: score = signal * label + noise. */
  signal: number;
  /** Challenger's separation (equal to signal: the null, equally good models). */
  challengerSignal: number;
  /** Share of each model's noise variance that both models share, in [0, 1). */
  sharedNoise: number;
}

/** n labelled requests scored by both models; consumes `rnd` in a fixed order (label, shared, own, own). */
export function simulatePairedScores(rnd: () => number, o: PairedScoresOptions) {
  const { n, prevalence, signal, challengerSignal, sharedNoise } = o;
  if (
    !Number.isInteger(n) ||
    n < 0 ||
    !(prevalence > 0 && prevalence < 1) ||
    !(sharedNoise >= 0 && sharedNoise < 1)
  ) {
    throw new EvaluationInputError(
      'argument',
      `simulatePairedScores: needs an integer n >= 0, prevalence in (0, 1) and sharedNoise in [0, 1); ` +
        `got n ${n}, prevalence ${prevalence}, sharedNoise ${sharedNoise}`,
    );
  }
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd()); // Box–Muller
  const s = Math.sqrt(sharedNoise);
  const r = Math.sqrt(1 - sharedNoise);
  const labels = new Uint8Array(n);
  const champion = new Float64Array(n);
  const challenger = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = rnd() < prevalence ? 1 : 0;
    const common = s * gauss(); // the same noise in both models: what makes them correlated
    labels[i] = y;
    champion[i] = signal * y + common + r * gauss();
    challenger[i] = challengerSignal * y + common + r * gauss();
  }
  return { labels, champion, challenger };
}
