/**
 * The workspace's 32-bit hash against published values: FNV-1a 32 test vectors of the FNV reference
 * code (draft-eastlake-fnv), MurmurHash3's fmix32 of 1; then the forms callers rely on (continuing a
 * hash, hashing a range of a string, seeding through the basis).
 */
import { describe, expect, it } from 'vitest';
import { FNV32_OFFSET, fmix32, fnv1a32 } from './hash.ts';

describe('fnv1a32', () => {
  it('matches the reference test vectors', () => {
    expect(fnv1a32('')).toBe(FNV32_OFFSET); // nothing hashed: the basis, which the next two check
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('continues a hash, hashes a range, and starts from a given basis', () => {
    expect(fnv1a32('bar', fnv1a32('foo'))).toBe(fnv1a32('foobar'));
    expect(fnv1a32('xxfoobaryy', FNV32_OFFSET, 2, 8)).toBe(fnv1a32('foobar'));
    expect(fnv1a32('foobar', 7 ^ FNV32_OFFSET)).not.toBe(fnv1a32('foobar'));
  });

  it('is unsigned', () => {
    for (const s of ['a', 'foobar', 'user-42', 'é€😀']) {
      const h = fnv1a32(s);
      expect(Number.isInteger(h) && h >= 0 && h < 2 ** 32).toBe(true);
    }
  });
});

describe('fmix32', () => {
  it('matches MurmurHash3 and is a bijection (no two of 0..9999 collide)', () => {
    expect(fmix32(0)).toBe(0);
    expect(fmix32(1)).toBe(0x514e28b7);
    expect(new Set(Array.from({ length: 10_000 }, (_, i) => fmix32(i))).size).toBe(10_000);
    expect(fmix32(-1)).toBe(fmix32(0xffffffff)); // the same 32 bits, signed or not
  });
});
