/**
 * The Filter contract (filter.ts) on every retriever (Q21, Q22): a declarative object on metadata
 * fields, equality and `$in`, all fields ANDed, typed equality, null distinct from absent. The
 * semantics run on a 40-item corpus with k above its size, where even an approximate index returns
 * every match, so every subject must return exactly the matching ids. A 5% selective filter on the
 * 300-item corpus must still fill k and agree with the filtered exact scan (approximate: the bound).
 * Unsupported filters are refused with UnsupportedFilterError before any search runs.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { RetrieverError, UnsupportedFilterError } from '../errors.ts';
import type { Filter, Metadata, Retriever } from '../types.ts';
import {
  type ContractSubject,
  corpus,
  ids,
  K,
  load,
  loaded,
  minRecallOf,
  refusal,
} from './contract-fixtures.ts';
import { recallAtK } from './vectors.ts';

const small = corpus(40, 9);
const ALL = 1000; // above the small corpus: a filtered search must return every match

/** The ids of the small corpus a predicate keeps: the expected answer, computed without filter.ts. */
const where = (keep: (m: Metadata) => boolean): string[] =>
  small.items
    .filter((it) => keep(it.metadata))
    .map((it) => it.id)
    .sort();

const has = (m: Metadata, field: string): boolean => Object.hasOwn(m, field);

const SEMANTICS: [string, Filter, string[]][] = [
  ['equality', { tenant: 'rare' }, where((m) => m.tenant === 'rare')],
  ['the $eq long form', { tenant: { $eq: 'rare' } }, where((m) => m.tenant === 'rare')],
  ['$in', { tier: { $in: [0, 2] } }, where((m) => m.tier === 0 || m.tier === 2)],
  ['fields ANDed', { even: true, tier: 1 }, where((m) => m.even === true && m.tier === 1)],
  ['$in ANDed with equality', { tier: { $in: [1, 2] }, even: false }, where((m) => m.tier !== 0 && !m.even)],
  ['a number is not its string', { tier: '0' }, []],
  ['a boolean is not its string', { even: 'true' }, []],
  ['null matches a stored null', { note: null }, where((m) => has(m, 'note') && m.note === null)],
  ['null does not match an absent field', { note: { $in: [null, 'plain'] } }, where((m) => has(m, 'note'))],
  ['an absent field matches nothing', { colour: 'red' }, []],
  ['$in of no values matches nothing', { tenant: { $in: [] } }, []],
  ['{} matches everything', {}, where(() => true)],
  ['a quote in a field or value is data, not SQL', { "tenant') OR true --": "' OR '1'='1" }, []],
];

const UNSUPPORTED: [string, unknown, RegExp][] = [
  ['a function', (m: Metadata) => m.tenant === 'rare', /not a function/],
  ['null', null, /must be a plain object.*got null/],
  ['a string', "tenant = 'rare'", /must be a plain object.*got string/],
  ['an array', [{ tenant: 'rare' }], /must be a plain object.*got an array/],
  ['a Date', new Date(0), /must be a plain object.*got Date/],
  ['an array as a value', { tenant: ['rare', 'common'] }, /filter.tenant is an array: write \{ \$in/],
  ['another operator', { tier: { $gt: 1 } }, /filter.tier: operator \$gt is not supported/],
  ['two operators', { tier: { $eq: 1, $in: [2] } }, /filter.tier: 2 operators is not supported/],
  ['no operator', { tier: {} }, /filter.tier: 0 operators is not supported/],
  ['$in of a non-array', { tier: { $in: 1 } }, /filter.tier.\$in must be an array/],
  ['an object inside $in', { tier: { $in: [1, { x: 1 }] } }, /filter.tier.\$in\[1\] is Object/],
  // { tenant: userTenant } with the variable unset must not match every tenant
  ['undefined as a value', { tenant: undefined }, /filter.tenant must be a string, finite number/],
  ['NaN', { tier: Number.NaN }, /filter.tier must be a string, finite number/],
  ['Infinity in $eq', { tier: { $eq: Number.POSITIVE_INFINITY } }, /filter.tier.\$eq is Infinity/],
  ['U+0000 in a value', { tenant: 'ra\u0000re' }, /filter.tenant holds U\+0000/],
];

export function filterContract(subject: ContractSubject): void {
  let r: Retriever;
  beforeAll(async () => {
    r = await subject.create({ dim: small.items[0].vector.length, space: 'cosine' });
    await load(subject, r, small.items);
  });

  it.each(SEMANTICS)('%s', async (_, filter, want) => {
    for (const q of small.queries.slice(0, 3)) {
      expect(ids(await r.search(q, ALL, filter)).sort()).toEqual(want);
    }
  });

  it('keeps k and the order of the matches: the filtered top k is the top k of the matches', async () => {
    const filter: Filter = { tier: { $in: [0, 1] } };
    const unfiltered = await r.search(small.queries[0], ALL);
    const keep = new Set(where((m) => m.tier === 0 || m.tier === 1));
    const matching = unfiltered.filter((h) => keep.has(h.id));
    expect(await r.search(small.queries[0], 5, filter)).toEqual(matching.slice(0, 5));
  });

  it('fewer matches than k: all of them, no padding', async () => {
    const want = where((m) => m.tenant === 'rare' && m.tier === 0);
    expect(want.length).toBeGreaterThan(0);
    expect(want.length).toBeLessThan(K);
    const hits = await r.search(small.queries[0], K, { tenant: 'rare', tier: 0 });
    expect(ids(hits).sort()).toEqual(want);
  });

  it.each(UNSUPPORTED)('refuses %s with UnsupportedFilterError', async (_, filter, message) => {
    const error = await refusal(() => r.search(small.queries[0], K, filter as Filter));
    expect(error).toBeInstanceOf(UnsupportedFilterError);
    expect(error).toBeInstanceOf(RetrieverError); // a caller catching the package's errors catches it
    expect((error as Error).message).toMatch(message);
  });

  describe('a 5% selective filter on 300 items', () => {
    const { items, queries } = corpus(300);
    it(`returns ${K} matching hits, the filtered exact scan's top ${K} (approximate: the bound)`, async () => {
      const built = await loaded(subject, 'l2', items);
      const rare = new Set(items.filter((it) => it.metadata.tenant === 'rare').map((it) => it.id));
      let sum = 0;
      for (const q of queries) {
        const got = await built.r.search(q, K, { tenant: 'rare' });
        expect(got).toHaveLength(K);
        for (const id of ids(got)) expect(rare.has(id), id).toBe(true);
        const truth = built.exact.search(q, K, { tenant: 'rare' });
        if (subject.search.kind === 'exact') expect(ids(got)).toEqual(ids(truth));
        sum += recallAtK(ids(got), ids(truth), K);
      }
      expect(sum / queries.length).toBeGreaterThanOrEqual(minRecallOf(subject));
    });
  });
}
