/**
 * Mystery mode (ARCHITECTURE.md "Lab anatomy": `--mystery` arms a random fault without naming it,
 * `--guess <fault>` checks a diagnosis). The pick is a pure function of the break names and the
 * seed, so `--mystery --seed 7` and `--mystery --seed 7 --guess x` run the same fault.
 */
import { fnv1a32 } from '@mlops-lab/datagen';
import type { LabBreak } from './types.ts';

/**
 * The fault a mystery run arms. Hashing the names as well as the seed means two labs with the
 * same number of breaks do not map seed 1 to the same position, and adding a break reshuffles.
 */
export function pickMystery(breaks: readonly LabBreak[], seed: number): LabBreak {
  if (breaks.length === 0) throw new Error('pickMystery: this lab has no breaks');
  const names = breaks.map((b) => b.name).join('\n');
  // Plain FNV-1a, no finalizer: a stable hash is enough to spread seeds over a few faults, and the
  // picks recorded for each lab and seed stay what they were.
  return breaks[fnv1a32(`${names}\n${seed}`) % breaks.length];
}

/** Replaces every occurrence of the secret fault name, so narration and the report cannot leak it. */
export function redactor(secret: string | null, mask = 'mystery'): (text: string) => string {
  if (!secret) return (text) => text;
  return (text) => text.split(secret).join(mask);
}
