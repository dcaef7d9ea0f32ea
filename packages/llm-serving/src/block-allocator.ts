/**
 * A pool of fixed-size KV blocks (Q20: KV cache management; vLLM's PagedAttention, Kwon et al.,
 * SOSP'23, §4.2). Each sequence owns a block table, a list of physical block ids; its logical block i
 * is physical block table[i], so a sequence grows one block at a time wherever a free block is, and
 * only its last block is partly empty. Like vLLM's NaiveBlockAllocator (vllm/core/block/naive_block.py)
 * the free ids sit on a stack; unlike it, every block records its owner, so a double allocation or a
 * free by the wrong owner throws at once instead of corrupting another sequence's cache.
 */

export class BlockAllocatorError extends Error {
  override readonly name = 'BlockAllocatorError';
}

const FREE = -1;

export class BlockAllocator {
  private readonly free: Int32Array;
  private top: number;
  private readonly owner: Int32Array;

  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 0)
      throw new BlockAllocatorError(`block capacity ${capacity} must be a non-negative integer`);
    this.free = new Int32Array(capacity);
    this.owner = new Int32Array(capacity).fill(FREE);
    // Lowest ids on top, so a fresh pool hands out 0, 1, 2, ... (easier to read in a test failure).
    for (let i = 0; i < capacity; i++) this.free[i] = capacity - 1 - i;
    this.top = capacity;
  }

  get freeBlocks(): number {
    return this.top;
  }

  get usedBlocks(): number {
    return this.capacity - this.top;
  }

  /** Appends `n` blocks to `table` for `owner`; all or nothing: false (and no change) if fewer are free. */
  allocate(owner: number, n: number, table: number[]): boolean {
    if (n > this.top) return false;
    for (let k = 0; k < n; k++) {
      const b = this.free[--this.top];
      if (this.owner[b] !== FREE)
        throw new BlockAllocatorError(
          `block ${b} handed out twice (held by ${this.owner[b]}, wanted by ${owner})`,
        );
      this.owner[b] = owner;
      table.push(b);
    }
    return true;
  }

  /** Returns every block of `table` to the pool and empties the table. */
  release(owner: number, table: number[]): void {
    for (const b of table) {
      if (this.owner[b] !== owner)
        throw new BlockAllocatorError(
          `block ${b} freed by ${owner} but held by ${this.owner[b] === FREE ? 'nobody' : this.owner[b]}`,
        );
      this.owner[b] = FREE;
      this.free[this.top++] = b;
    }
    table.length = 0;
  }

  ownerOf(block: number): number {
    return this.owner[block];
  }
}
