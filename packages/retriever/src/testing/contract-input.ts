/**
 * Bad input in the retriever contract (Q21, Q22): every malformed vector, id or metadata is refused
 * with a RetrieverError naming what is wrong, before anything changes, so the index answers exactly
 * as before (validate.ts says why each check exists). The text rule (no U+0000, no lone surrogate)
 * is there because Postgres refuses the one and rewrites the other: the contract holds only what all
 * three can store and give back unchanged.
 */
import { beforeAll, expect, it } from 'vitest';
import { RetrieverError } from '../errors.ts';
import type { Metadata, Retriever, Vector } from '../types.ts';
import { type ContractSubject, corpus, DIM, K, load, refusal } from './contract-fixtures.ts';

const { items, queries } = corpus(40);
const ok = items[0].vector;
const withAt = (i: number, x: unknown): Vector => Array.from(ok, (v, j) => (j === i ? x : v)) as number[];

/** Malformed vectors, each with the message it must produce (`what` is 'vector' or 'query'). */
function badVectors(what: string): [string, unknown, RegExp][] {
  return [
    ['one component short', Array.from(ok).slice(1), new RegExp(`${what} has dimension ${DIM - 1}`)],
    ['one component long', [...ok, 1], new RegExp(`${what} has dimension ${DIM + 1}`)],
    ['empty', [], new RegExp(`${what} has dimension 0`)],
    ['a string', '1,2,3', /must be a number\[\] or Float32Array/],
    ['null', null, /must be a number\[\] or Float32Array/],
    ['an array-like object', { length: DIM }, /must be a number\[\] or Float32Array/],
    ['a Float64Array', Float64Array.from(ok), /must be a number\[\] or Float32Array/],
    ['NaN', withAt(3, Number.NaN), new RegExp(`${what}\\[3\\] is NaN`)],
    ['Infinity', withAt(0, Number.POSITIVE_INFINITY), new RegExp(`${what}\\[0\\] is Infinity`)],
    ['-Infinity', withAt(15, Number.NEGATIVE_INFINITY), new RegExp(`${what}\\[15\\] is -Infinity`)],
    ['beyond float32', withAt(2, 1e39), new RegExp(`${what}\\[2\\] is 1e\\+39: outside the float32 range`)],
    ['a numeric string', withAt(1, '0.5'), new RegExp(`${what}\\[1\\] is 0.5: every component`)],
    ['a hole', withAt(4, undefined), new RegExp(`${what}\\[4\\] is undefined`)],
  ];
}

const BAD_IDS: [string, unknown, RegExp][] = [
  ['empty', '', /id must be a non-empty string/],
  ['a number', 7, /id must be a non-empty string/],
  ['U+0000', 'a\u0000b', /id holds U\+0000 or a lone surrogate/],
  ['a lone surrogate', 'a\uD800', /id holds U\+0000 or a lone surrogate/],
];

const BAD_METADATA: [string, unknown, RegExp][] = [
  ['an array', ['a'], /metadata must be a plain object/],
  ['a string', 'tenant=a', /metadata must be a plain object/],
  ['a nested object', { tenant: { name: 'a' } }, /metadata.tenant must be a string, finite number/],
  ['an array value', { tags: ['a', 'b'] }, /metadata.tags must be a string, finite number/],
  ['NaN', { score: Number.NaN }, /metadata.score must be a string, finite number/],
  ['U+0000 in a value', { note: 'a\u0000' }, /metadata.note holds U\+0000/],
  ['a lone surrogate in a key', { '\uDC00k': 1 }, /a metadata key holds U\+0000 or a lone surrogate/],
];

export function inputContract(subject: ContractSubject): void {
  let r: Retriever;
  beforeAll(async () => {
    r = await subject.create({ dim: DIM, space: 'cosine' });
    await load(subject, r, items);
  });

  /** Every call must be refused with a RetrieverError matching its message; then nothing has changed. */
  async function expectRefusedUnchanged(calls: [string, () => unknown, RegExp][]): Promise<void> {
    const before = await r.search(queries[0], K);
    for (const [what, call, message] of calls) {
      const error = await refusal(call);
      expect(error, what).toBeInstanceOf(RetrieverError);
      expect((error as Error).message, what).toMatch(message);
    }
    expect(await r.size()).toBe(items.length);
    expect(await r.search(queries[0], K)).toEqual(before);
  }

  it('refuses malformed vectors on add, and the index answers as before', async () => {
    await expectRefusedUnchanged([
      ...badVectors('vector').map(([what, v, m]): [string, () => unknown, RegExp] => [
        what,
        () => r.add('new', v as Vector),
        m,
      ]),
      ['all zeros (cosine has no direction)', () => r.add('new', new Array(DIM).fill(0)), /all zeros/],
      ['zero once stored as float32', () => r.add('new', new Array(DIM).fill(1e-50)), /all zeros/],
    ]);
  });

  it('refuses malformed query vectors', async () => {
    await expectRefusedUnchanged([
      ...badVectors('query').map(([what, v, m]): [string, () => unknown, RegExp] => [
        what,
        () => r.search(v as Vector, K),
        m,
      ]),
      ['all zeros', () => r.search(new Array(DIM).fill(0), K), /query is all zeros/],
    ]);
  });

  it('refuses bad ids and metadata, an existing id included (no half-applied upsert)', async () => {
    await expectRefusedUnchanged([
      ...BAD_IDS.map(([what, id, m]): [string, () => unknown, RegExp] => [
        what,
        () => r.add(id as string, ok),
        m,
      ]),
      ...BAD_METADATA.map(([what, meta, m]): [string, () => unknown, RegExp] => [
        what,
        () =>
          r.add(
            items[1].id,
            items[1].vector.map((x) => -x),
            meta as Metadata,
          ),
        m,
      ]),
    ]);
    expect(await subject.storedMetadata(r, items[1].id)).toEqual(items[1].metadata);
  });

  it('refuses removing an id it does not hold, and removing the same id twice', async () => {
    await expectRefusedUnchanged([
      ['unknown', () => r.remove('nope'), /remove: unknown id "nope"/],
      ['another case', () => r.remove('D0'), /remove: unknown id "D0"/],
    ]);
    const extra = await subject.create({ dim: DIM, space: 'cosine' });
    await extra.add('x', ok);
    await extra.remove('x');
    const error = await refusal(() => extra.remove('x'));
    expect(error).toBeInstanceOf(RetrieverError);
    expect(await extra.size()).toBe(0);
  });
}
