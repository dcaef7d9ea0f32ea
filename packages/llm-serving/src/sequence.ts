/**
 * A request as the engine carries it (Q20, Q32): the public record of what happened to it, and the
 * sequence the scheduler moves between its queues (its state, the tokens in its KV cache, its block
 * table, the tokens it has in the iteration being built).
 */
import type { Request } from './workload.ts';

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

export enum State {
  Queued,
  Running,
  Swapped,
  Done,
}

export interface Seq {
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

/** A request that has just arrived: queued, nothing cached, its prompt to prefill. */
export function arrivingSeq(r: Request, traced: boolean): Seq {
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
  if (traced) rec.tokenTimes = [];
  return {
    rec,
    state: State.Queued,
    ctx: 0,
    target: r.promptTokens,
    prefilled: 0,
    blocks: [],
    swappedBlocks: 0,
    chunk: 0,
  };
}

/** Inserts `seq` after every sequence that arrived no later (the queues are FCFS). */
export function insertByArrival(list: Seq[], seq: Seq): void {
  let i = list.length;
  while (i > 0 && list[i - 1].rec.arrival > seq.rec.arrival) i--;
  list.splice(i, 0, seq);
}
