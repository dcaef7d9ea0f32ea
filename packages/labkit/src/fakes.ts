/**
 * Test doubles shared by labkit's own tests: a capturing stream and a lab that needs no services.
 * Not exported from the package: lab tests run real labs through `runLabForTest`.
 */
import { check } from './format.ts';
import type { LabDefinition } from './types.ts';

export interface Capture {
  write(chunk: string): boolean;
  isTTY?: boolean;
  text(): string;
  lines(): string[];
}

export function capture(isTTY = false): Capture {
  const chunks: string[] = [];
  return {
    isTTY,
    write(chunk: string) {
      chunks.push(String(chunk));
      return true;
    },
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').slice(0, -1),
  };
}

/**
 * Two checks; `fault: 'slow-cache'` flips the second. The lab narrates its own fault name on
 * purpose, so mystery tests can prove the runner hides it.
 */
export function fakeLab(overrides: Partial<LabDefinition> = {}): LabDefinition {
  return {
    name: 'fake',
    title: 'A fake lab',
    questions: [1, 2],
    needs: [],
    breaks: [
      {
        name: 'slow-cache',
        symptom: 'latency doubles',
        hint: 'look at the cache hit rate',
        explanation: 'the cache TTL is zero, every request misses',
        flips: ['latency under budget'],
      },
      {
        name: 'bad-join',
        symptom: 'offline AUC too good',
        hint: 'look at the timestamps',
        explanation: 'the join reads features from the future',
        flips: ['offline AUC is honest'],
      },
    ],
    async run({ fault, out }) {
      out.step('Measure');
      out.say(`fault in effect: ${fault ?? 'none'}`);
      return {
        checks: [
          check('latency under budget', fault !== 'slow-cache', `fault=${fault}`),
          check('offline AUC is honest', fault !== 'bad-join', 'auc 0.71'),
        ],
        metrics: { p99_ms: 12.5, fault: String(fault), count: 3 },
      };
    },
    ...overrides,
  };
}
