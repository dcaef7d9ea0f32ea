/**
 * The scheduling policies of the serving engine (Q20, Q32): which sequences make up the next
 * iteration, and what happens to KV memory when it runs out. It owns the queues and the block pool;
 * engine.ts runs the iterations it builds. Written from the papers' descriptions and from reading
 * vLLM's v0 scheduler (vllm/core/scheduler.py) and block manager:
 * - `static` (request-level) batching, as FasterTransformer-style servers do: a batch is formed when
 *   the engine is idle and runs until its last sequence finishes; nothing joins it meanwhile.
 * - `continuous` (iteration-level) batching, Orca (Yu et al., "Orca: A Distributed Serving System for
 *   Transformer-Based Generative Models", OSDI'22): the batch is re-formed every iteration, so a
 *   finished sequence's slot is refilled at once.
 * - admission, FCFS: `reserve` KV: each admitted sequence reserves the model's maximum length up front
 *   (what Orca and FasterTransformer do); `paged` KV, vLLM (Kwon et al., SOSP'23): blocks allocated on
 *   demand, one block table per sequence (block-allocator.ts), admission when the prompt's blocks fit
 *   above a 1% watermark, as vLLM's can_allocate does. A request that could not fit even in an empty
 *   cache is refused at once (vLLM's AllocStatus.NEVER).
 * - preemption when a running sequence needs a block and none is free: the latest-arrived running
 *   sequence is the victim (vLLM's FCFS policy pops the tail of the running queue). `recompute` drops
 *   its blocks and puts it back at the front of the queue, to be re-prefilled over prompt + the
 *   tokens it had generated (its output is kept); `swap` copies its blocks to CPU over the host link
 *   and brings them back before any new request is admitted (falling back to recompute when the CPU
 *   swap space is full). `none`: the sequence waits for a block; when no sequence can move, the
 *   engine is deadlocked and aborts the newest one (`takeNewest`).
 * - prefill scheduling: without chunking, vLLM's default policy runs waiting prompts first, in a
 *   prefill-only iteration that stalls every decode; with `chunkedPrefill` = a token budget,
 *   Sarathi-Serve (Agrawal et al., "Taming Throughput-Latency Tradeoff in LLM Inference with
 *   Sarathi-Serve", OSDI'24): decodes first, then prompt chunks fill the rest of the budget
 *   ("stall-free" batches).
 */
import { BlockAllocator } from './block-allocator.ts';
import type { CostModel } from './cost-model.ts';
import type { EngineConfig } from './engine-config.ts';
import { insertByArrival, type Seq, State } from './sequence.ts';

/** What preemption did over a run (the engine reports them in its RunStats). */
export interface PreemptionCounts {
  preemptions: number;
  recomputePreemptions: number;
  swapPreemptions: number;
  /** KV tokens a recompute preemption discarded, so computed twice. */
  recomputedTokens: number;
  swappedBlocks: number;
}

/** One iteration as scheduled: the sequences in it and the host-link bytes of the swaps it carries. */
export interface Iteration {
  batch: Seq[];
  swapBytes: number;
}

export class Scheduler {
  private readonly alloc: BlockAllocator;
  private readonly watermark: number;
  private readonly reserveBlocks: number;
  private readonly chunk: number;
  /** Running sequences in arrival order (the victim of a preemption is the last). */
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
  /** Tokens whose KV is in GPU memory (the engine adds what each iteration computes). */
  kvTokens = 0;
  readonly counts: PreemptionCounts = {
    preemptions: 0,
    recomputePreemptions: 0,
    swapPreemptions: 0,
    recomputedTokens: 0,
    swappedBlocks: 0,
  };

  constructor(
    private readonly c: EngineConfig,
    private readonly cost: CostModel,
  ) {
    this.alloc = new BlockAllocator(c.gpuBlocks);
    // vLLM keeps 1% of the blocks free at admission so that decodes do not preempt at once.
    this.watermark = c.kv === 'paged' ? Math.floor(0.01 * c.gpuBlocks) : 0;
    this.reserveBlocks = Math.ceil(cost.model.maxSeqLen / c.blockSize);
    this.chunk = c.chunkedPrefill ?? 0;
  }

  get usedBlocks(): number {
    return this.alloc.usedBlocks;
  }

  /** Queues an arriving sequence; false when it could not run even in an empty cache (refused). */
  enqueue(seq: Seq): boolean {
    const r = seq.rec;
    const total = r.promptTokens + r.outputTokens;
    const need = this.c.kv === 'reserve' ? this.reserveBlocks : this.blocksFor(total);
    if (total > this.cost.model.maxSeqLen || need > this.c.gpuBlocks - this.watermark) return false;
    this.waiting.push(seq);
    return true;
  }

  idle(): boolean {
    return (
      this.running.length === 0 &&
      this.swapped.length === 0 &&
      this.resumed.length === 0 &&
      this.waitHead >= this.waiting.length
    );
  }

  /** Builds the next iteration by the batching and prefill policies (empty when nothing can run). */
  schedule(): Iteration {
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
    const swapBytes = this.swapBytesPending;
    this.swapBytesPending = 0;
    return { batch, swapBytes };
  }

  /** After an iteration ran: finished sequences leave, the prompts admitted in it join in arrival order. */
  settle(anyFinished: boolean): void {
    if (anyFinished) this.running = this.running.filter((s) => s.state === State.Running);
    for (const seq of this.admitted) if (seq.state === State.Running) insertByArrival(this.running, seq);
    this.admitted.length = 0;
  }

  /** Frees what a finished or dropped sequence holds, in GPU or (swapped) CPU memory. */
  release(seq: Seq): void {
    if (seq.state === State.Swapped) {
      this.cpuUsed -= seq.swappedBlocks;
      seq.swappedBlocks = 0;
    } else this.kvTokens -= seq.ctx;
    this.alloc.release(seq.rec.id, seq.blocks);
  }

  /** Every sequence holding GPU blocks, taken off the lists (an out-of-memory loses them all). */
  takeInFlight(): Seq[] {
    const lost = [...this.running, ...this.admitted];
    this.running = [];
    this.admitted.length = 0;
    return lost;
  }

  /** The newest running sequence, taken off the list (the one a deadlock aborts). */
  takeNewest(): Seq | undefined {
    return this.running.pop();
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
    const counts = this.counts;
    counts.preemptions++;
    seq.rec.preemptions++;
    this.kvTokens -= seq.ctx;
    const n = seq.blocks.length;
    if (this.c.preemption === 'swap' && this.cpuUsed + n <= this.c.cpuBlocks) {
      counts.swapPreemptions++;
      counts.swappedBlocks += n;
      this.swapBytesPending += n * this.cost.kvBytesPerToken * this.c.blockSize;
      this.alloc.release(seq.rec.id, seq.blocks);
      this.cpuUsed += n;
      seq.swappedBlocks = n;
      seq.state = State.Swapped;
      this.swapped.push(seq);
      return;
    }
    // Recompute: the cache is dropped; prompt + generated tokens are prefilled again on resume.
    counts.recomputePreemptions++;
    this.alloc.release(seq.rec.id, seq.blocks);
    counts.recomputedTokens += seq.ctx;
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
}
