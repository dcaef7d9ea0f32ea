/**
 * An item's life in the retriever contract (Q21, Q22, Q24): metadata comes back as it went in (every
 * scalar type, unicode, quotes), `add` of an existing id replaces vector and metadata (an upsert, not
 * a second copy and not a merge), a removed id is never returned again, by its own vector or by a
 * filter that matches it, and can be added again. Each test builds its own 40-item index, so the
 * order of tests does not matter. Incremental indexing (indexing.ts) relies on exactly these.
 */
import { expect, it } from 'vitest';
import type { Metadata, Retriever } from '../types.ts';
import { type ContractSubject, corpus, DIM, expectDistance, ids, load } from './contract-fixtures.ts';

const { items, queries } = corpus(40, 13);
const ALL = 1000;
/** A vector far from the corpus (its clusters sit near the origin's scale of 1). */
const far = Float32Array.from({ length: DIM }, (_, i) => (i % 2 === 0 ? 40 : -40));

const ROUND_TRIP: Metadata = {
  text: 'plain',
  empty: '',
  unicode: 'naïve café 東京 🙂',
  quotes: `it's "quoted" \\ back`,
  int: 42,
  negative: -7,
  float: 0.1,
  big: 1e300,
  yes: true,
  no: false,
  nothing: null,
  'a key with spaces': 'x',
};

export function lifecycleContract(subject: ContractSubject): void {
  async function fresh(): Promise<Retriever> {
    const r = await subject.create({ dim: DIM, space: 'l2' });
    await load(subject, r, items);
    return r;
  }

  it('metadata round trip: every scalar type, unicode and quotes come back equal; none is {}', async () => {
    const r = await fresh();
    const given = { ...ROUND_TRIP };
    await r.add('meta', far, given);
    given.text = 'changed after add'; // the index keeps its own copy
    expect(await subject.storedMetadata(r, 'meta')).toEqual(ROUND_TRIP);
    await r.add(
      'bare',
      far.map((x) => -x),
    );
    expect(await subject.storedMetadata(r, 'bare')).toEqual({});
    expect(await subject.storedMetadata(r, 'never-added')).toBeUndefined();
    // and each stored value filters the item back out
    for (const [field, value] of Object.entries(ROUND_TRIP)) {
      expect(ids(await r.search(far, 3, { [field]: value })), field).toEqual(['meta']);
    }
  });

  it('ids are exact strings: unicode, quotes and case kept, found and removed by the same string', async () => {
    const r = await fresh();
    const odd = ['東京/🙂', "o'brien; DROP TABLE x", 'D0', 'd0 '];
    for (const [i, id] of odd.entries())
      await r.add(
        id,
        items[i].vector.map((x) => x + 0.001),
        { odd: true },
      );
    expect(await r.size()).toBe(items.length + odd.length);
    expect(ids(await r.search(far, ALL, { odd: true })).sort()).toEqual([...odd].sort());
    for (const id of odd) await r.remove(id);
    expect(await r.size()).toBe(items.length);
    expect(ids(await r.search(far, ALL)).sort()).toEqual(items.map((it) => it.id).sort());
  });

  it('add of an existing id replaces its vector and metadata: one copy, no merge', async () => {
    const r = await fresh();
    const target = items[5];
    await r.add(target.id, far, { moved: true });
    expect(await r.size()).toBe(items.length);
    const [first] = await r.search(far, 1);
    expect(first.id).toBe(target.id);
    expectDistance(first.distance, 0);
    const all = ids(await r.search(target.vector, ALL));
    expect(all.filter((id) => id === target.id)).toHaveLength(1);
    expect(await subject.storedMetadata(r, target.id)).toEqual({ moved: true });
    expect(ids(await r.search(far, ALL, { tenant: target.metadata.tenant as string }))).not.toContain(
      target.id,
    );
    expect(ids(await r.search(far, ALL, { moved: true }))).toEqual([target.id]);
  });

  it('a removed id is never returned (own vector, k = all, a filter); the others stay as they were', async () => {
    const r = await fresh();
    const gone = items.filter((_, i) => i % 8 === 0); // d0 is 'rare': a filter that matched it
    for (const it of gone) await r.remove(it.id);
    expect(await r.size()).toBe(items.length - gone.length);
    const goneIds = new Set(gone.map((it) => it.id));
    for (const q of [...gone.map((it) => it.vector), ...queries.slice(0, 5)]) {
      const hits = ids(await r.search(q, ALL));
      expect(hits).toHaveLength(items.length - gone.length);
      for (const id of hits) expect(goneIds.has(id), id).toBe(false);
    }
    for (const id of ids(await r.search(gone[0].vector, ALL, { tenant: 'rare' }))) {
      expect(goneIds.has(id), id).toBe(false);
    }
    expect(await subject.storedMetadata(r, gone[0].id)).toBeUndefined();
    // the items left keep their own vector and metadata (the exact scan moves rows to fill holes)
    for (const it of items.filter((x) => !goneIds.has(x.id))) {
      expect(await subject.storedMetadata(r, it.id), it.id).toEqual(it.metadata);
      expect(ids(await r.search(it.vector, 1)), it.id).toEqual([it.id]);
    }
  });

  it('a removed id can be added again, with a new vector and metadata', async () => {
    const r = await fresh();
    const target = items[3];
    await r.remove(target.id);
    await r.add(target.id, far, { back: true });
    expect(await r.size()).toBe(items.length);
    const [first] = await r.search(far, 1);
    expect(first.id).toBe(target.id);
    expectDistance(first.distance, 0);
    expect(await subject.storedMetadata(r, target.id)).toEqual({ back: true });
    expect(ids(await r.search(target.vector, 1))).not.toEqual([target.id]);
  });

  it('emptied by removes, the index answers nothing, and fills again', async () => {
    const r = await fresh();
    for (const it of items) await r.remove(it.id);
    expect(await r.size()).toBe(0);
    expect(await r.search(queries[0], ALL)).toEqual([]);
    await r.add(items[0].id, items[0].vector);
    expect(ids(await r.search(queries[0], ALL))).toEqual([items[0].id]);
  });
}
