/**
 * What the router does when the model server answering a user fails (Q15, Q29): every attempt has its
 * own deadline (an AbortSignal); a connection error, a 5xx or a timeout is retried on the same version
 * a bounded number of times after a jittered exponential backoff, except that a failing challenger or
 * canary is not retried but handed to the champion (which then gets the retries); a 4xx is the
 * client's and comes back as it was. When the last attempt fails too, the user gets a 502 (504 after a
 * timeout) with a one-line reason, never a raw socket error.
 * References: Envoy's route retry policy (`num_retries`, `per_try_timeout`, `retry_on:
 * 5xx,reset,connect-failure`, back-off 25 ms base, full jitter, capped at 10x) and Istio's retries;
 * the hand-over to the champion plays the part of Envoy's retry to another host
 * (`retry_host_predicate: previous_hosts`), here a known-good version rather than another replica.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Upstream, UpstreamReply } from './router.ts';

export interface RetryPolicy {
  /** Deadline of one attempt, ms. A user waits at most (1 + retries) of these, plus one on a failed challenger. */
  timeoutMs: number;
  /** Attempts after the first on the version being tried (the champion after a fallback). */
  retries: number;
  /** Backoff ceiling before the first retry, ms; doubles per retry, capped at maxBackoffMs, fully jittered. */
  backoffMs: number;
  maxBackoffMs: number;
}

/** 2 s is far beyond a healthy model call here (~1 ms) yet bounds a hung server; Envoy's defaults for the rest. */
export const DEFAULT_RETRY: RetryPolicy = { timeoutMs: 2000, retries: 2, backoffMs: 25, maxBackoffMs: 250 };

/** Which version is the champion now (undefined: none known, so no fallback). */
export interface ChampionSource {
  current(): string | undefined;
}

/** The router's `fallback` option as a getter; a fixed version must have an upstream, checked at once. */
export function championOf(
  fallback: string | ChampionSource | undefined,
  upstreams: Record<string, Upstream>,
): () => string | undefined {
  if (typeof fallback !== 'string') return () => fallback?.current();
  if (!upstreams[fallback]) {
    throw new Error(
      `fallback version ${fallback} has no upstream (have ${Object.keys(upstreams).join(', ')})`,
    );
  }
  return () => fallback;
}

export type FailureReason = 'timeout' | 'connection' | '5xx';
/** What followed a failed attempt: another try on the same version, the champion, or the error reply. */
export type NextStep = 'retry' | 'fallback' | 'none';

export interface PolicyHooks {
  /** Each attempt's duration by the version tried: a canary's latency guardrail must see its timeouts. */
  attempted(version: string, seconds: number): void;
  failed(version: string, reason: FailureReason, next: NextStep): void;
}

export interface PolicyResult {
  reply: UpstreamReply;
  /** The version whose reply this is (the last one tried). */
  version: string;
  /** The assigned version, when it failed and the champion answered in its place. */
  fallbackFrom: string | null;
  attempts: number;
}

interface Failure {
  reason: FailureReason;
  detail: string;
}

/** The reason without the upstream's address: the error code (ECONNREFUSED, UND_ERR_SOCKET), else its name. */
function describe(e: unknown): string {
  const code = (e as { code?: unknown } | null)?.code;
  return `connection failed (${typeof code === 'string' ? code : e instanceof Error ? e.name : String(e)})`;
}

/**
 * The upstream's answer, or a rejection once `deadline` fires even if the upstream ignores the signal:
 * the deadline holds for any Upstream, not only for clients that honour abort.
 */
function withDeadline(upstream: Upstream, body: Buffer, deadline: AbortSignal): Promise<UpstreamReply> {
  let onAbort!: () => void;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(deadline.reason);
    deadline.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([upstream.predict(body, deadline), aborted]).finally(() =>
    deadline.removeEventListener('abort', onAbort),
  );
}

async function attempt(
  upstream: Upstream,
  body: Buffer,
  timeoutMs: number,
): Promise<{ reply: UpstreamReply; failure: null } | { reply?: UpstreamReply; failure: Failure }> {
  const deadline = AbortSignal.timeout(timeoutMs);
  try {
    const reply = await withDeadline(upstream, body, deadline);
    return reply.status >= 500
      ? { reply, failure: { reason: '5xx', detail: `answered status ${reply.status}` } }
      : { reply, failure: null };
  } catch (e) {
    // By the signal, not the error's name: a call still queued in the pool is aborted under another name.
    return deadline.aborted
      ? { failure: { reason: 'timeout', detail: `timed out after ${timeoutMs} ms` } }
      : { failure: { reason: 'connection', detail: describe(e) } };
  }
}

/** The reply a user gets once the last attempt has failed: JSON, one line, no upstream address. */
function gaveUp(version: string, attempts: number, last: Failure): UpstreamReply {
  const timeout = last.reason === 'timeout';
  return {
    status: timeout ? 504 : 502,
    body: {
      error: timeout ? 'upstream_timeout' : 'upstream_unavailable',
      reason: `version ${version} failed ${attempts} attempt${attempts === 1 ? '' : 's'}: last ${last.detail}`,
    },
  };
}

/**
 * One prediction on `assigned`, by the policy. `champion` (undefined: none) takes over when any other
 * version fails; a prediction has no side effect, so repeating it is safe.
 */
export async function predictWithPolicy(o: {
  assigned: string;
  champion: string | undefined;
  upstreams: Record<string, Upstream>;
  body: Buffer;
  policy: RetryPolicy;
  hooks: PolicyHooks;
}): Promise<PolicyResult> {
  const { policy, hooks } = o;
  let version = o.assigned;
  let fallbackFrom: string | null = null;
  let onVersion = 0; // attempts on `version`
  let attempts = 0;
  for (;;) {
    const t0 = performance.now();
    const tried = await attempt(o.upstreams[version], o.body, policy.timeoutMs);
    attempts++;
    onVersion++;
    hooks.attempted(version, (performance.now() - t0) / 1000);
    if (tried.failure === null) return { reply: tried.reply, version, fallbackFrom, attempts };
    const { failure } = tried;
    const champion = o.champion !== undefined && o.upstreams[o.champion] ? o.champion : undefined;
    // A failing challenger is not retried: the champion is as near and known good, and a second try on
    // a failing version would double its users' wait.
    const next: NextStep =
      fallbackFrom === null && champion !== undefined && champion !== version
        ? 'fallback'
        : onVersion <= policy.retries
          ? 'retry'
          : 'none';
    hooks.failed(version, failure.reason, next);
    if (next === 'none')
      return { reply: gaveUp(version, onVersion, failure), version, fallbackFrom, attempts };
    if (next === 'fallback') {
      fallbackFrom = version;
      version = champion!;
      onVersion = 0;
    } else {
      // Full jitter: retries of many users failing at once spread out instead of arriving together.
      const ceiling = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** (onVersion - 1));
      await sleep(Math.random() * ceiling);
    }
  }
}
