/**
 * The canary ramp's decisions on observed guardrail stats: every step healthy -> promoted with the
 * weights written in order; a broken guardrail -> rolled back to 0% at once, at the step it broke.
 */
import { describe, expect, it } from 'vitest';
import { type GuardrailStats, runCanary } from './canary.ts';

const steps = [
  { percent: 5, minRequests: 10 },
  { percent: 25, minRequests: 10 },
  { percent: 100, minRequests: 10 },
];
const guardrails = { maxP99LatencyMs: 50, maxErrorRate: 0.01 };

function ramp(statsAt: (percent: number) => GuardrailStats) {
  const written: number[] = [];
  let current = 0;
  return {
    written,
    run: () =>
      runCanary({
        steps,
        guardrails,
        pollMs: 1,
        setPercent: async (p) => {
          written.push(p);
          current = p;
        },
        observe: async () => statsAt(current),
      }),
  };
}

describe('runCanary', () => {
  it('promotes when every step is healthy', async () => {
    const r = ramp(() => ({ requests: 20, p99LatencyMs: 10, errorRate: 0 }));
    const result = await r.run();
    expect(result.outcome).toBe('promoted');
    expect(r.written).toEqual([5, 25, 100]);
    expect(result.events.every((e) => e.healthy)).toBe(true);
  });

  it('rolls back at the step whose error rate breaks the guardrail', async () => {
    const r = ramp((p) => ({ requests: 20, p99LatencyMs: 10, errorRate: p >= 25 ? 0.05 : 0 }));
    const result = await r.run();
    expect(result.outcome).toBe('rolled-back');
    expect(result.reason).toMatch(/step 2 \(25%\): error rate 5\.00% > 1\.00%/);
    expect(r.written).toEqual([5, 25, 0]);
  });

  it('rolls back when latency breaks, and when a step cannot gather its requests', async () => {
    const slow = await ramp(() => ({ requests: 20, p99LatencyMs: 80, errorRate: 0 })).run();
    expect(slow.reason).toMatch(/step 1 \(5%\): p99 80\.0 ms > 50 ms/);
    const starved = await runCanary({
      steps,
      guardrails,
      pollMs: 1,
      stepTimeoutMs: 20,
      setPercent: async () => {},
      observe: async () => ({ requests: 3, p99LatencyMs: 1, errorRate: 0 }),
    });
    expect(starved).toMatchObject({ outcome: 'rolled-back' });
    expect(starved.reason).toMatch(/only 3 of 10 requests/);
  });
});
