/**
 * `runLoad(plan)`: HTTP load from the load generator (loadgen.mjs) in a child process, so the
 * client's work stays off the event loop and out of the CPU figure of a server running in the
 * calling process. Resolves with the generator's result line, plus the caller's own CPU and wall
 * time between the generator's start and its result: with the server in this process, that CPU
 * is the server's alone. The protocol is described at the top of loadgen.mjs.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { quantile } from '@mlops-lab/evaluation';

export interface LoadRequest {
  body?: string;
  /** Added to (and overriding) the plan's headers for this request. */
  headers?: Record<string, string>;
}

export interface LoadPlan {
  /** The whole target, e.g. `http://127.0.0.1:3000/predict`. */
  url: string;
  /** Default POST. */
  method?: string;
  /** Sent with every request. */
  headers?: Record<string, string>;
  /** Request index i sends `requests[i % requests.length]`; indexes come from one shared cursor. */
  requests: readonly LoadRequest[];
  /** Sockets, each with one request in flight (a closed loop). */
  connections: number;
  /** Stop after this many requests (default: each request of the list once)... */
  count?: number;
  /** ...or start none after this many seconds. */
  seconds?: number;
  /** A request with no reply after this long counts as failed, code "timeout" (default 10 s). */
  timeoutMs?: number;
}

export interface LatencyMs {
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  sent: number;
  /** Requests that got a reply, whatever its status. */
  replies: number;
  /** Replies with a 2xx status. */
  ok: number;
  /** Replies by status code. */
  statuses: Record<string, number>;
  /** Requests with no reply, and their error codes (ECONNREFUSED, ECONNRESET, timeout). */
  failed: number;
  errors: Record<string, number>;
  /** From the first request to the last reply, as the generator saw it. */
  seconds: number;
  /** Over every reply; NaN when there was none. */
  latencyMs: LatencyMs;
  /** CPU time of the generator's process over the run. */
  cpuMs: number;
  /** CPU time of the calling process from the generator's start to its result. */
  callerCpuMs: number;
  /** Wall time of the calling process over the same window. */
  callerWallMs: number;
}

const GENERATOR = fileURLToPath(new URL('./loadgen.mjs', import.meta.url));

/** The result line as the generator writes it. */
type GeneratorResult = { type: 'result'; latenciesMs: number[] } & Omit<
  LoadResult,
  'latencyMs' | 'callerCpuMs' | 'callerWallMs'
>;

/**
 * Summary of every reply's latency. Quantiles are nearest-rank (numpy's 'inverted_cdf'): a figure
 * some reply really took, as wrk and autocannon report. NaN everywhere when there was no reply.
 */
export function summariseLatency(latenciesMs: readonly number[]): LatencyMs {
  const sorted = Float64Array.from(latenciesMs).sort();
  const at = (q: number) => quantile(sorted, q, { sorted: true, method: 'inverted_cdf' });
  let sum = 0;
  for (const ms of sorted) sum += ms;
  return { min: at(0), mean: sum / sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
}

/** Replies with a status outside 2xx. */
export const non2xx = (r: LoadResult): number => r.replies - r.ok;

/** Runs one plan in a fresh generator process. Rejects if the generator refuses the plan or dies. */
export function runLoad(plan: LoadPlan): Promise<LoadResult> {
  // Plain `node <file>`: not this process's loader flags (tsx, vitest), which would only slow its start.
  const child = spawn(process.execPath, [GENERATOR], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  // A generator that exits early closes its stdin; the exit handler below reports why.
  child.stdin.on('error', () => {});
  child.stdin.end(JSON.stringify(plan));

  return new Promise((resolve, reject) => {
    let window: { cpu: NodeJS.CpuUsage; t0: number } | undefined;
    let result: LoadResult | undefined;
    child.on('error', reject);
    createInterface({ input: child.stdout }).on('line', (line) => {
      let msg: { type: string } & Record<string, unknown>;
      try {
        msg = JSON.parse(line);
      } catch {
        child.kill();
        reject(new Error(`load generator wrote a line that is not JSON: ${line.slice(0, 200)}`));
        return;
      }
      if (msg.type === 'start') window = { cpu: process.cpuUsage(), t0: performance.now() };
      else if (msg.type === 'result' && window) {
        const cpu = process.cpuUsage(window.cpu);
        const { type: _, latenciesMs, ...figures } = msg as unknown as GeneratorResult;
        result = {
          ...figures,
          latencyMs: summariseLatency(latenciesMs),
          callerCpuMs: (cpu.user + cpu.system) / 1000,
          callerWallMs: performance.now() - window.t0,
        };
      }
    });
    child.on('close', (code, signal) => {
      if (code === 0 && result) resolve(result);
      else reject(new Error(stderr.trim() || `load generator exited (${signal ?? code}) with no result`));
    });
  });
}
