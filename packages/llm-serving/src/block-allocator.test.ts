/**
 * Property tests of the block pool: under random allocate / release sequences for many owners, no
 * block is ever in two tables, the counts add up, a failed allocation changes nothing, and after every
 * owner releases, the whole pool is free again (no leak).
 */
import { mulberry32 } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { BlockAllocator, BlockAllocatorError } from './block-allocator.ts';

describe('BlockAllocator', () => {
  it('random workloads: no double allocation, counts conserved, no leak (200 cases)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = mulberry32(seed);
      const capacity = 1 + Math.floor(rnd() * 64);
      const pool = new BlockAllocator(capacity);
      const tables = new Map<number, number[]>();
      const violations: string[] = [];
      for (let op = 0; op < 300; op++) {
        const owner = Math.floor(rnd() * 12);
        const table = tables.get(owner) ?? [];
        tables.set(owner, table);
        if (rnd() < 0.65) {
          const n = 1 + Math.floor(rnd() * 8);
          const before = table.length;
          const free = pool.freeBlocks;
          const ok = pool.allocate(owner, n, table);
          if (ok !== n <= free) violations.push(`op ${op}: allocate(${n}) with ${free} free returned ${ok}`);
          if (!ok && table.length !== before)
            violations.push(`op ${op}: a failed allocation changed the table`);
        } else pool.release(owner, table);
        const all = [...tables.values()].flat();
        if (new Set(all).size !== all.length) violations.push(`op ${op}: a block is in two tables`);
        if (all.length + pool.freeBlocks !== capacity) violations.push(`op ${op}: held + free != capacity`);
        for (const [o, t] of tables)
          for (const b of t)
            if (pool.ownerOf(b) !== o) violations.push(`op ${op}: block ${b} owner mismatch`);
      }
      expect(violations, `seed ${seed}`).toEqual([]);
      for (const [o, t] of tables) pool.release(o, t);
      expect(pool.freeBlocks).toBe(capacity);
      expect(pool.usedBlocks).toBe(0);
    }
  });

  it('a release by the wrong owner or a second release throws', () => {
    const pool = new BlockAllocator(4);
    const a: number[] = [];
    pool.allocate(1, 2, a);
    const copy = [...a];
    expect(() => pool.release(2, a)).toThrow(BlockAllocatorError);
    pool.release(1, a);
    expect(() => pool.release(1, copy)).toThrow(/held by nobody/);
    expect(() => new BlockAllocator(-1)).toThrow(/capacity/);
  });
});
