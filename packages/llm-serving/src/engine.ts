/**
 * The serving engine as an iteration-level discrete-event simulation (Q20, Q32). Time advances one
 * model iteration at a time: the scheduler (scheduler.ts, the batching, admission, preemption and
 * prefill policies) picks the batch, the roofline cost model (cost-model.ts) says how long the
 * forward pass takes, and every sequence in the batch gains its tokens at the end of it. Between
 * iterations the clock jumps to the next arrival when the engine is idle. Token granularity: every
 * output token of every request gets a time.
 *
 * `physicalBlocks` is what HBM really holds; a pool sized larger than it (a wrong memory budget)
 * overcommits, and the first iteration whose blocks exceed it fails like a CUDA out-of-memory:
 * every sequence in flight is lost and counted. When nothing can move (preemption `none` and no
 * free block), the loop aborts the newest running sequence and counts a deadlock.
 */
import type { CostModel } from './cost-model.ts';
import { type EngineConfig, EngineConfigError, validateConfig } from './engine-config.ts';
import { Scheduler } from './scheduler.ts';
import { arrivingSeq, type Outcome, type RequestRecord, type Seq, State } from './sequence.ts';
import type { Request } from './workload.ts';

export interface RunStats {
  steps: number;
  /** Sum of iteration times: the engine's busy time. */
  busySeconds: number;
  endTime: number;
  outputTokens: number;
  prefillTokens: number;
  preemptions: number;
  recomputePreemptions: number;
  swapPreemptions: number;
  /** Tokens processed as decode steps (one per sequence per iteration). */
  decodeTokens: number;
  /** KV tokens a recompute preemption discarded, so computed twice: tokens processed in all =
   *  Σ (prompt + output − 1) + recomputedTokens. */
  recomputedTokens: number;
  swappedBlocks: number;
  oomEvents: number;
  deadlocks: number;
  /** Time-weighted means over busy time. */
  meanKvTokens: number;
  meanReservedTokens: number;
  meanDecodeBatch: number;
  peakBlocks: number;
  /** Largest HBM use the engine reached: weights-free KV bytes at the peak block count. */
  peakKvBytes: number;
  gpuBlocks: number;
  physicalBlocks: number;
  blockSize: number;
  /** Blocks still allocated after the run (must be 0). */
  leakedBlocks: number;
}

export interface RunResult {
  records: RequestRecord[];
  stats: RunStats;
}

/** Runs `requests` (sorted by arrival) through one engine; deterministic, no wall clock. */
export function simulate(requests: readonly Request[], config: EngineConfig, cost: CostModel): RunResult {
  validateConfig(config);
  return new Engine(config, cost).run(requests);
}

class Engine {
  private readonly sched: Scheduler;
  private readonly physical: number;
  private readonly trace: Set<number>;
  private now = 0;
  private done = 0;
  private readonly s: RunStats;
  private kvIntegral = 0;
  private reservedIntegral = 0;
  private decodeIntegral = 0;

  constructor(
    private readonly c: EngineConfig,
    private readonly cost: CostModel,
  ) {
    this.sched = new Scheduler(c, cost);
    this.physical = c.physicalBlocks ?? c.gpuBlocks;
    this.trace = new Set(c.traceIds ?? []);
    this.s = {
      steps: 0,
      busySeconds: 0,
      endTime: 0,
      outputTokens: 0,
      prefillTokens: 0,
      decodeTokens: 0,
      preemptions: 0,
      recomputePreemptions: 0,
      swapPreemptions: 0,
      recomputedTokens: 0,
      swappedBlocks: 0,
      oomEvents: 0,
      deadlocks: 0,
      meanKvTokens: 0,
      meanReservedTokens: 0,
      meanDecodeBatch: 0,
      peakBlocks: 0,
      peakKvBytes: 0,
      gpuBlocks: c.gpuBlocks,
      physicalBlocks: this.physical,
      blockSize: c.blockSize,
      leakedBlocks: 0,
    };
  }

  run(requests: readonly Request[]): RunResult {
    const records: RequestRecord[] = [];
    let next = 0;
    const n = requests.length;
    for (let i = 1; i < n; i++)
      if (requests[i].arrival < requests[i - 1].arrival)
        throw new EngineConfigError(`requests must be sorted by arrival (request ${requests[i].id} is not)`);
    while (this.done < n) {
      while (next < n && requests[next].arrival <= this.now) records.push(this.arrive(requests[next++]));
      if (this.done >= n) break;
      if (this.sched.idle()) {
        if (next >= n) throw new Error(`engine idle with ${n - this.done} requests unaccounted for`);
        this.now = Math.max(this.now, requests[next].arrival);
        continue;
      }
      const dt = this.iterate();
      if (dt > 0) continue;
      // Nothing could run. Only a stall on blocks gets here (an idle engine was handled above).
      if (!this.breakDeadlock()) throw new Error('engine made no progress and found nothing to abort');
    }
    this.s.endTime = this.now;
    Object.assign(this.s, this.sched.counts);
    const busy = this.s.busySeconds || 1;
    this.s.meanKvTokens = this.kvIntegral / busy;
    this.s.meanReservedTokens = this.reservedIntegral / busy;
    this.s.meanDecodeBatch = this.decodeIntegral / busy;
    this.s.leakedBlocks = this.sched.usedBlocks;
    return { records, stats: this.s };
  }

  private arrive(r: Request): RequestRecord {
    const seq = arrivingSeq(r, this.trace.has(r.id));
    if (!this.sched.enqueue(seq)) {
      seq.rec.outcome = 'rejected';
      seq.state = State.Done;
      this.done++;
    }
    return seq.rec;
  }

  /**
   * One iteration: the scheduler's batch through the cost model, then its tokens applied; returns its
   * duration (0 when nothing could be scheduled).
   */
  private iterate(): number {
    const { batch, swapBytes } = this.sched.schedule();
    if (batch.length === 0 && swapBytes === 0) return 0;
    const used = this.sched.usedBlocks;
    if (used > this.s.peakBlocks) this.s.peakBlocks = used;
    if (used > this.physical) return this.outOfMemory();

    let tokens = 0;
    let attended = 0;
    let kvRead = 0;
    let decodes = 0;
    for (const seq of batch) {
      const k = seq.chunk;
      const p = seq.ctx;
      tokens += k;
      attended += k * p + (k * (k + 1)) / 2;
      kvRead += p;
      if (seq.prefilled >= seq.target) decodes++;
    }
    const dt = this.cost.stepSeconds(tokens, attended, kvRead, swapBytes);
    this.s.steps++;
    this.s.busySeconds += dt;
    this.kvIntegral += this.sched.kvTokens * dt;
    this.reservedIntegral += used * this.c.blockSize * dt;
    this.decodeIntegral += decodes * dt;
    this.now += dt;

    const t = this.now;
    let finished = false;
    for (const seq of batch) {
      const k = seq.chunk;
      seq.chunk = 0;
      seq.ctx += k;
      this.sched.kvTokens += k;
      const rec = seq.rec;
      if (seq.prefilled < seq.target) {
        seq.prefilled += k;
        this.s.prefillTokens += k;
        if (seq.prefilled < seq.target) continue; // more chunks to go: no token yet
      } else this.s.decodeTokens++;
      // The last prompt chunk or a decode step samples one token.
      rec.generated++;
      this.s.outputTokens++;
      if (rec.generated === 1) rec.firstTokenAt = t;
      rec.tokenTimes?.push(t);
      if (rec.generated === rec.outputTokens) {
        this.finish(seq, 'finished');
        finished = true;
      }
    }
    this.sched.settle(finished);
    return dt;
  }

  private finish(seq: Seq, outcome: Outcome): void {
    if (seq.state === State.Done) throw new Error(`request ${seq.rec.id} finished twice`);
    seq.rec.outcome = outcome;
    seq.rec.finishedAt = this.now;
    this.sched.release(seq);
    seq.state = State.Done;
    this.done++;
  }

  /** HBM overcommitted: the iteration fails and every sequence holding GPU blocks is lost. */
  private outOfMemory(): number {
    this.s.oomEvents++;
    for (const seq of this.sched.takeInFlight()) this.finish(seq, 'dropped-oom');
    // The failed iteration still took the time of a step before the error surfaced.
    const dt = this.cost.params.stepOverhead;
    this.now += dt;
    this.s.busySeconds += dt;
    return dt;
  }

  /** No sequence can move (preemption off, no free block): abort the newest running one. */
  private breakDeadlock(): boolean {
    const victim = this.sched.takeNewest();
    if (!victim) return false;
    this.s.deadlocks++;
    this.finish(victim, 'dropped-deadlock');
    return true;
  }
}
