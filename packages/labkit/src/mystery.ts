/**
 * Mystery mode (DESIGN.md "Lab anatomy": `--mystery` arms a random fault without naming it,
 * `--guess <fault>` checks a diagnosis). The pick is a pure function of the break names and the
 * seed, so `--mystery --seed 7` and `--mystery --seed 7 --guess x` run the same fault.
 */
import type { LabBreak } from './types.ts';

/** FNV-1a, 32-bit: a stable string hash with no dependency, enough to spread seeds over a few faults. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The fault a mystery run arms. Hashing the names as well as the seed means two labs with the
 * same number of breaks do not map seed 1 to the same position, and adding a break reshuffles.
 */
export function pickMystery(breaks: readonly LabBreak[], seed: number): LabBreak {
  if (breaks.length === 0) throw new Error('pickMystery: this lab has no breaks');
  const names = breaks.map((b) => b.name).join('\n');
  return breaks[fnv1a(`${names}\n${seed}`) % breaks.length];
}

/** Replaces every occurrence of the secret fault name, so narration and the report cannot leak it. */
export function redactor(secret: string | null, mask = 'mystery'): (text: string) => string {
  if (!secret) return (text) => text;
  return (text) => text.split(secret).join(mask);
}
