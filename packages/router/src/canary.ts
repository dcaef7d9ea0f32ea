/**
 * A canary ramp with automatic rollback (Q15, Q18): the challenger's share goes up step by step
 * (e.g. 5% -> 25% -> 100%); at each step it must serve enough requests with its guardrails (p99
 * latency, error rate) healthy before the next step; the first broken guardrail sends every request
 * back to the champion. The weights are written through `setPercent` (the registry's routing table in
 * production), so a rollback is a configuration change that running routers pick up. Reference:
 * KServe canary rollout (canaryTrafficPercent, rollback to the previous revision), Argo Rollouts steps.
 */

export interface CanaryStep {
  percent: number;
  /** Challenger requests to observe before judging this step. */
  minRequests: number;
}

export interface GuardrailStats {
  requests: number;
  p99LatencyMs: number;
  errorRate: number;
}

export interface CanaryEvent {
  step: number;
  percent: number;
  stats: GuardrailStats;
  healthy: boolean;
  reason: string;
}

export interface CanaryOptions {
  steps: CanaryStep[];
  setPercent(percent: number): Promise<void>;
  /** The challenger's stats since `since` (performance.now() at the start of the step). */
  observe(since: number): Promise<GuardrailStats>;
  guardrails: { maxP99LatencyMs: number; maxErrorRate: number };
  /** Longest wait for a step's minRequests (ms); a step that cannot gather them rolls back. */
  stepTimeoutMs?: number;
  pollMs?: number;
  onStep?(event: CanaryEvent): void;
}

export interface CanaryResult {
  outcome: 'promoted' | 'rolled-back';
  reason: string;
  events: CanaryEvent[];
}

function judge(stats: GuardrailStats, g: CanaryOptions['guardrails']): { healthy: boolean; reason: string } {
  if (stats.errorRate > g.maxErrorRate) {
    return {
      healthy: false,
      reason: `error rate ${(stats.errorRate * 100).toFixed(2)}% > ${(g.maxErrorRate * 100).toFixed(2)}%`,
    };
  }
  if (stats.p99LatencyMs > g.maxP99LatencyMs) {
    return { healthy: false, reason: `p99 ${stats.p99LatencyMs.toFixed(1)} ms > ${g.maxP99LatencyMs} ms` };
  }
  return {
    healthy: true,
    reason: `p99 ${stats.p99LatencyMs.toFixed(1)} ms, errors ${(stats.errorRate * 100).toFixed(2)}% over ${stats.requests} requests`,
  };
}

export async function runCanary(options: CanaryOptions): Promise<CanaryResult> {
  const events: CanaryEvent[] = [];
  const pollMs = options.pollMs ?? 50;
  for (const [i, step] of options.steps.entries()) {
    await options.setPercent(step.percent);
    const since = performance.now();
    const deadline = since + (options.stepTimeoutMs ?? 30_000);
    let stats = await options.observe(since);
    let verdict = judge(stats, options.guardrails);
    // Judge as requests come in: a broken guardrail rolls back at once, not at the end of the step.
    while (verdict.healthy && stats.requests < step.minRequests && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, pollMs));
      stats = await options.observe(since);
      verdict = judge(stats, options.guardrails);
    }
    if (verdict.healthy && stats.requests < step.minRequests) {
      verdict = { healthy: false, reason: `only ${stats.requests} of ${step.minRequests} requests in time` };
    }
    const event = { step: i + 1, percent: step.percent, stats, ...verdict };
    events.push(event);
    options.onStep?.(event);
    if (!verdict.healthy) {
      await options.setPercent(0);
      return {
        outcome: 'rolled-back',
        reason: `step ${i + 1} (${step.percent}%): ${verdict.reason}`,
        events,
      };
    }
  }
  return {
    outcome: 'promoted',
    reason: `every step healthy up to ${options.steps.at(-1)?.percent}%`,
    events,
  };
}
