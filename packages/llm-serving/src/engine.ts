/**
 * The serving engine as an iteration-level discrete-event simulation (Q20, Q32). Time advances one
 * model iteration at a time: the scheduler picks the batch, the roofline cost model (cost-model.ts)
 * says how long the forward pass takes, and every sequence in the batch gains its tokens at the end
 * of it. Between iterations the clock jumps to the next arrival when the engine is idle. Token
 * granularity: every output token of every request gets a time.
 *
 * The scheduling policies follow the papers, written here from their descriptions and from reading
 * vLLM's v0 scheduler (vllm/core/scheduler.py) and block manager:
 * - `static` (request-level) batching, as FasterTransformer-style servers do: a batch is formed when
 *   the engine is idle and runs until its last sequence finishes; nothing joins it meanwhile.
 * - `continuous` (iteration-level) batching, Orca (Yu et al., "Orca: A Distributed Serving System for
 *   Transformer-Based Generative Models", OSDI'22): the batch is re-formed every iteration, so a
 *   finished sequence's slot is refilled at once.
 * - `reserve` KV: each admitted sequence reserves the model's maximum length up front (what Orca and
 *   FasterTransformer do); `paged` KV, vLLM (Kwon et al., SOSP'23): blocks allocated on demand, one
 *   block table per sequence (block-allocator.ts), admission when the prompt's blocks fit above a 1%
 *   watermark, as vLLM's can_allocate does.
 * - preemption when a running sequence needs a block and none is free: the latest-arrived running
 *   sequence is the victim (vLLM's FCFS policy pops the tail of the running queue). `recompute` drops
 *   its blocks and puts it back at the front of the queue, to be re-prefilled over prompt + the
 *   tokens it had generated (its output is kept); `swap` copies its blocks to CPU over the host link
 *   and brings them back before any new request is admitted (falling back to recompute when the CPU
 *   swap space is full). `none`: the sequence waits for a block; when no sequence can move, the
 *   engine is deadlocked and aborts the newest one (counted as dropped).
 * - prefill scheduling: without chunking, vLLM's default policy runs waiting prompts first, in a
 *   prefill-only iteration that stalls every decode; with `chunkedPrefill` = a token budget,
 *   Sarathi-Serve (Agrawal et al., "Taming Throughput-Latency Tradeoff in LLM Inference with
 *   Sarathi-Serve", OSDI'24): decodes first, then prompt chunks fill the rest of the budget
 *   ("stall-free" batches).
 *
 * `physicalBlocks` is what HBM really holds; a pool sized larger than it (a wrong memory budget)
 * overcommits, and the first iteration whose blocks exceed it fails like a CUDA out-of-memory:
 * every sequence in flight is lost and counted.
 */
import { BlockAllocator } from './block-allocator.ts';
import type { CostModel } from './cost-model.ts';
import type { Request } from './workload.ts';

export type Batching = 'static' | 'continuous';
export type KvPolicy = 'paged' | 'reserve';
export type Preemption = 'recompute' | 'swap' | 'none';

export interface EngineConfig {
  batching: Batching;
  kv: KvPolicy;
  preemption: Preemption;
  /** Sarathi-Serve token budget per iteration; absent or 0: no chunking. */
  chunkedPrefill?: number;
  /** Most sequences in one batch (vLLM's max_num_seqs, default 256). */
  maxBatch: number;
  /** Most prompt tokens in one prefill iteration without chunking (vLLM's max_num_batched_tokens). */
  maxBatchedTokens: number;
  /** Blocks the scheduler believes it has. */
  gpuBlocks: number;
  /** Blocks HBM really holds (default gpuBlocks). */
  physicalBlocks?: number;
  cpuBlocks: number;
  blockSize: number;
  /** Request ids whose every token time is recorded (the streaming view). */
  traceIds?: readonly number[];
}

export type Outcome = 'finished' | 'dropped-oom' | 'dropped-deadlock' | 'rejected';

/** What happened to one request. Times in seconds from the start of the run; NaN when it never happened. */
export interface RequestRecord {
  id: number;
  arrival: number;
  promptTokens: number;
  outputTokens: number;
  outcome: Outcome;
  /** Output tokens generated (equals outputTokens for a finished request). */
  generated: number;
  firstTokenAt: number;
  finishedAt: number;
  preemptions: number;
  /** Every token's time, for traced requests only. */
  tokenTimes?: number[];
}

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

enum State {
  Queued,
  Running,
  Swapped,
  Done,
}

interface Seq {
  rec: RequestRecord;
  state: State;
  /** Tokens whose KV is in the cache. */
  ctx: number;
  /** Tokens this prefill phase must cover: prompt + generated so far. */
  target: number;
  prefilled: number;
  blocks: number[];
  swappedBlocks: number;
  /** Tokens scheduled this iteration (0 when not in the batch). */
  chunk: number;
}

export class EngineConfigError extends Error {
  override readonly name = 'EngineConfigError';
}

function validate(c: EngineConfig): void {
  const positive = (name: string, v: number) => {
    if (!Number.isSafeInteger(v) || v < 1)
      throw new EngineConfigError(`${name} ${v} must be a positive integer`);
  };
  positive('maxBatch', c.maxBatch);
  positive('maxBatchedTokens', c.maxBatchedTokens);
  positive('gpuBlocks', c.gpuBlocks);
  positive('blockSize', c.blockSize);
  if (c.physicalBlocks !== undefined) positive('physicalBlocks', c.physicalBlocks);
  if (!Number.isSafeInteger(c.cpuBlocks) || c.cpuBlocks < 0)
    throw new EngineConfigError(`cpuBlocks ${c.cpuBlocks} must be a non-negative integer`);
  if (c.chunkedPrefill !== undefined && c.chunkedPrefill !== 0) positive('chunkedPrefill', c.chunkedPrefill);
  if (c.chunkedPrefill && c.batching === 'static')
    throw new EngineConfigError(
      'chunked prefill needs continuous batching (a static batch admits nothing mid-run)',
    );
}

/** Runs `requests` (sorted by arrival) through one engine; deterministic, no wall clock. */
export function simulate(requests: readonly Request[], config: EngineConfig, cost: CostModel): RunResult {
  validate(config);
  return new Engine(config, cost).run(requests);
}

class Engine {
  private readonly alloc: BlockAllocator;
  private readonly physical: number;
  private readonly watermark: number;
  private readonly reserveBlocks: number;
  private readonly chunk: number;
  private readonly trace: Set<number>;
  private now = 0;
  private running: Seq[] = [];
  private waiting: Seq[] = [];
  private waitHead = 0;
  /** Recompute-preempted sequences, by arrival: they go before anything in `waiting`. */
  private resumed: Seq[] = [];
  private swapped: Seq[] = [];
  private cpuUsed = 0;
  /** Prompts admitted in the iteration being built (not yet in `running`). */
  private readonly admitted: Seq[] = [];
  /** Host-link bytes of the swaps decided while building the iteration. */
  private swapBytesPending = 0;
  private kvTokens = 0;
  private done = 0;
  private readonly s: RunStats;
  private kvIntegral = 0;
  private reservedIntegral = 0;
  private decodeIntegral = 0;

  constructor(
    private readonly c: EngineConfig,
    private readonly cost: CostModel,
  ) {
    this.alloc = new BlockAllocator(c.gpuBlocks);
    this.physical = c.physicalBlocks ?? c.gpuBlocks;
    // vLLM keeps 1% of the blocks free at admission so that decodes do not preempt at once.
    this.watermark = c.kv === 'paged' ? Math.floor(0.01 * c.gpuBlocks) : 0;
    this.reserveBlocks = Math.ceil(cost.model.maxSeqLen / c.blockSize);
    this.chunk = c.chunkedPrefill ?? 0;
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
      if (this.idle()) {
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
    const busy = this.s.busySeconds || 1;
    this.s.meanKvTokens = this.kvIntegral / busy;
    this.s.meanReservedTokens = this.reservedIntegral / busy;
    this.s.meanDecodeBatch = this.decodeIntegral / busy;
    this.s.leakedBlocks = this.alloc.usedBlocks;
    return { records, stats: this.s };
  }

  private idle(): boolean {
    return (
      this.running.length === 0 &&
      this.swapped.length === 0 &&
      this.resumed.length === 0 &&
      this.waitHead >= this.waiting.length
    );
  }

  private arrive(r: Request): RequestRecord {
    const rec: RequestRecord = {
      id: r.id,
      arrival: r.arrival,
      promptTokens: r.promptTokens,
      outputTokens: r.outputTokens,
      outcome: 'finished',
      generated: 0,
      firstTokenAt: Number.NaN,
      finishedAt: Number.NaN,
      preemptions: 0,
    };
    if (this.trace.has(r.id)) rec.tokenTimes = [];
    const seq: Seq = {
      rec,
      state: State.Queued,
      ctx: 0,
      target: r.promptTokens,
      prefilled: 0,
      blocks: [],
      swappedBlocks: 0,
      chunk: 0,
    };
    // vLLM's AllocStatus.NEVER: a request that cannot fit even in an empty cache is refused at once.
    const total = r.promptTokens + r.outputTokens;
    const need = this.c.kv === 'reserve' ? this.reserveBlocks : this.blocksFor(total);
    if (total > this.cost.model.maxSeqLen || need > this.c.gpuBlocks - this.watermark) {
      rec.outcome = 'rejected';
      seq.state = State.Done;
      this.done++;
      return rec;
    }
    this.waiting.push(seq);
    return rec;
  }

  private blocksFor(tokens: number): number {
    return Math.ceil(tokens / this.c.blockSize);
  }

  /** Blocks a queued sequence needs to be admitted. */
  private admissionBlocks(seq: Seq): number {
    return this.c.kv === 'reserve' ? this.reserveBlocks : this.blocksFor(seq.target);
  }

  private headOfQueue(): Seq | undefined {
    if (this.resumed.length > 0) return this.resumed[0];
    return this.waitHead < this.waiting.length ? this.waiting[this.waitHead] : undefined;
  }

  private popQueue(): void {
    if (this.resumed.length > 0) this.resumed.shift();
    else {
      this.waiting[this.waitHead++] = undefined as unknown as Seq;
      if (this.waitHead > 4096 && this.waitHead * 2 > this.waiting.length) {
        this.waiting = this.waiting.slice(this.waitHead);
        this.waitHead = 0;
      }
    }
  }

  /** Admits queued sequences FCFS while they fit; returns the prompt tokens scheduled. */
  private admit(tokenBudget: number, batch: Seq[]): number {
    let used = 0;
    for (;;) {
      const seq = this.headOfQueue();
      if (!seq) break;
      if (this.running.length + batch.length >= this.c.maxBatch) break;
      const remaining = seq.target - seq.prefilled;
      const chunk = this.chunk ? Math.min(remaining, tokenBudget - used) : remaining;
      if (chunk <= 0 || (!this.chunk && used + chunk > tokenBudget && batch.length > 0)) break;
      const need = this.admissionBlocks(seq);
      if (this.alloc.freeBlocks - need < this.watermark) break;
      this.alloc.allocate(seq.rec.id, need, seq.blocks);
      this.popQueue();
      seq.state = State.Running;
      seq.chunk = chunk;
      batch.push(seq);
      this.admitted.push(seq);
      used += chunk;
    }
    return used;
  }

  /** One iteration; returns its duration (0 when nothing could be scheduled). */
  private iterate(): number {
    const batch: Seq[] = [];
    const c = this.c;
    let preempted = false;
    if (c.batching === 'static') {
      if (this.running.length === 0) {
        if (this.swapped.length > 0) this.swapIn(batch);
        else this.admit(Number.POSITIVE_INFINITY, batch);
      }
      if (batch.length === 0) preempted = this.scheduleRunning(batch, Number.POSITIVE_INFINITY);
    } else if (!this.chunk) {
      // vLLM's default: prompts first (unless swapped sequences wait), in a prefill-only iteration.
      if (this.swapped.length === 0) this.admit(c.maxBatchedTokens, batch);
      if (batch.length === 0) {
        preempted = this.scheduleRunning(batch, Number.POSITIVE_INFINITY);
        if (!preempted) this.swapIn(batch);
      }
    } else {
      // Sarathi-Serve: decodes, then unfinished prompt chunks, then swapped, then new prompts.
      let budget = this.chunk;
      preempted = this.scheduleRunning(batch, budget);
      for (const s of batch) budget -= s.chunk;
      if (!preempted) this.swapIn(batch);
      if (this.swapped.length === 0) this.admit(budget, batch);
    }
    return this.execute(batch);
  }

  /**
   * Schedules the running sequences FCFS: each decode needs one KV slot, each unfinished prompt its
   * next chunk. A decode without a slot preempts from the tail; returns whether anything was preempted.
   */
  private scheduleRunning(batch: Seq[], tokenBudget: number): boolean {
    const run = this.running;
    let preempted = false;
    let budget = tokenBudget;
    let end = run.length;
    const keep: Seq[] = [];
    for (let i = 0; i < end; i++) {
      const seq = run[i];
      if (seq.prefilled < seq.target) {
        keep.push(seq); // an unfinished (chunked) prompt: scheduled after every decode, below
        continue;
      }
      if (budget < 1) {
        keep.push(seq);
        continue;
      }
      let scheduled = true;
      while (seq.ctx + 1 > seq.blocks.length * this.c.blockSize) {
        if (this.alloc.allocate(seq.rec.id, 1, seq.blocks)) break;
        if (this.c.preemption === 'none') {
          scheduled = false; // waits for a block
          break;
        }
        preempted = true;
        if (end - 1 > i) {
          const victim = run[--end];
          this.preempt(victim);
        } else {
          this.preempt(seq);
          end = i; // nothing after it is left
          scheduled = false;
          break;
        }
      }
      if (seq.state !== State.Running) break;
      keep.push(seq);
      if (scheduled) {
        seq.chunk = 1;
        budget -= 1;
        batch.push(seq);
      }
    }
    // Then unfinished prompts take what the decodes left of the budget (Sarathi-Serve: decodes first).
    // Their blocks were allocated at admission.
    for (const seq of keep) {
      if (budget < 1) break;
      if (seq.prefilled >= seq.target) continue;
      seq.chunk = Math.min(seq.target - seq.prefilled, budget);
      budget -= seq.chunk;
      batch.push(seq);
    }
    // Sequences from `end` on were preempted; the rest keep their order.
    this.running = keep;
    return preempted;
  }

  private preempt(seq: Seq): void {
    this.s.preemptions++;
    seq.rec.preemptions++;
    this.kvTokens -= seq.ctx;
    const n = seq.blocks.length;
    if (this.c.preemption === 'swap' && this.cpuUsed + n <= this.c.cpuBlocks) {
      this.s.swapPreemptions++;
      this.s.swappedBlocks += n;
      this.swapBytesPending += n * this.cost.kvBytesPerToken * this.c.blockSize;
      this.alloc.release(seq.rec.id, seq.blocks);
      this.cpuUsed += n;
      seq.swappedBlocks = n;
      seq.state = State.Swapped;
      this.swapped.push(seq);
      return;
    }
    // Recompute: the cache is dropped; prompt + generated tokens are prefilled again on resume.
    this.s.recomputePreemptions++;
    this.alloc.release(seq.rec.id, seq.blocks);
    this.s.recomputedTokens += seq.ctx;
    seq.ctx = 0;
    seq.prefilled = 0;
    seq.target = seq.rec.promptTokens + seq.rec.generated;
    seq.state = State.Queued;
    seq.chunk = 0;
    insertByArrival(this.resumed, seq);
  }

  /** Brings swapped sequences back (FCFS) while their blocks fit above the watermark. */
  private swapIn(batch: Seq[]): void {
    while (this.swapped.length > 0) {
      const seq = this.swapped[0];
      if (this.running.length + batch.length >= this.c.maxBatch) break;
      const n = seq.swappedBlocks;
      if (this.alloc.freeBlocks - n < this.watermark) break;
      this.swapped.shift();
      this.alloc.allocate(seq.rec.id, n, seq.blocks);
      this.cpuUsed -= n;
      seq.swappedBlocks = 0;
      this.swapBytesPending += n * this.cost.kvBytesPerToken * this.c.blockSize;
      this.kvTokens += seq.ctx;
      seq.state = State.Running;
      seq.chunk = 0; // runs from the next iteration, once its blocks are back
      insertByArrival(this.running, seq);
    }
  }

  /** Runs the batch through the cost model and applies its tokens. */
  private execute(batch: Seq[]): number {
    const swapBytes = this.swapBytesPending;
    this.swapBytesPending = 0;
    if (batch.length === 0 && swapBytes === 0) return 0;
    const used = this.alloc.usedBlocks;
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
    this.kvIntegral += this.kvTokens * dt;
    this.reservedIntegral += used * this.c.blockSize * dt;
    this.decodeIntegral += decodes * dt;
    this.now += dt;

    const t = this.now;
    let finished = false;
    for (const seq of batch) {
      const k = seq.chunk;
      seq.chunk = 0;
      seq.ctx += k;
      this.kvTokens += k;
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
    if (finished) this.running = this.running.filter((s) => s.state === State.Running);
    // Prompts admitted this iteration join the running list in arrival order.
    for (const seq of this.admitted) if (seq.state === State.Running) insertByArrival(this.running, seq);
    this.admitted.length = 0;
    return dt;
  }

  private finish(seq: Seq, outcome: Outcome): void {
    if (seq.state === State.Done) throw new Error(`request ${seq.rec.id} finished twice`);
    seq.rec.outcome = outcome;
    seq.rec.finishedAt = this.now;
    if (seq.state === State.Swapped) {
      this.cpuUsed -= seq.swappedBlocks;
      seq.swappedBlocks = 0;
    } else this.kvTokens -= seq.ctx;
    this.alloc.release(seq.rec.id, seq.blocks);
    seq.state = State.Done;
    this.done++;
  }

  /** HBM overcommitted: the iteration fails and every sequence holding GPU blocks is lost. */
  private outOfMemory(): number {
    this.s.oomEvents++;
    for (const seq of [...this.running, ...this.admitted]) this.finish(seq, 'dropped-oom');
    this.running = [];
    this.admitted.length = 0;
    // The failed iteration still took the time of a step before the error surfaced.
    const dt = this.cost.params.stepOverhead;
    this.now += dt;
    this.s.busySeconds += dt;
    return dt;
  }

  /** No sequence can move (preemption off, no free block): abort the newest running one. */
  private breakDeadlock(): boolean {
    if (this.running.length === 0) return false;
    this.s.deadlocks++;
    const victim = this.running[this.running.length - 1];
    this.finish(victim, 'dropped-deadlock');
    this.running.pop();
    return true;
  }
}

function insertByArrival(list: Seq[], seq: Seq): void {
  let i = list.length;
  while (i > 0 && list[i - 1].rec.arrival > seq.rec.arrival) i--;
  list.splice(i, 0, seq);
}
