/**
 * The one 32-bit string hash of the workspace: FNV-1a over UTF-16 code units, and MurmurHash3's
 * 32-bit finalizer as a separate step. Seeds (`mixSeed`), sticky routing (the registry's
 * `stickyDraw`), the retriever's hashing embedder and the lab runner's mystery pick all use it, so
 * their outputs (golden tests, recorded runs, a user's version) rest on one definition.
 * FNV-1a alone is enough to spread a few values over a small modulus; short, similar inputs ("u1",
 * "u2", ...) leave its high bits correlated, which the finalizer spreads over the whole range.
 * References: FNV-1a (Fowler, Noll, Vo; the 32-bit offset basis and prime of the IETF draft
 * draft-eastlake-fnv), MurmurHash3 `fmix32` (Appleby, SMHasher).
 */

/** The 32-bit FNV offset basis: where a fresh hash starts. */
export const FNV32_OFFSET = 0x811c9dc5;

/**
 * FNV-1a over the code units `text[from..to)`, continuing from `h` (the offset basis for a fresh
 * hash; a previous result to hash more text after it, or a seed mixed into the basis). Unsigned.
 * The range form lets a caller hash substrings without allocating them.
 */
export function fnv1a32(text: string, h: number = FNV32_OFFSET, from = 0, to: number = text.length): number {
  for (let i = from; i < to; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** MurmurHash3's 32-bit finalizer: every input bit reaches every output bit. Unsigned. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
