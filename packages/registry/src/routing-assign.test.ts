/**
 * Sticky assignment (routing-assign.ts): cumulative weights over sorted targets, the key hash's
 * values (those the model server's and the router's own copies gave, so no user changed version
 * when the copies became one), its spread over short consecutive keys, and stickiness.
 */
import { describe, expect, it } from 'vitest';
import { assign, chooseTarget, stickyDraw } from './routing-assign.ts';

describe('chooseTarget', () => {
  it('splits traffic by weight over the targets in sorted order', () => {
    const config = { champion: 95, '2': 5 };
    let v2 = 0;
    for (let i = 0; i < 1000; i++) if (chooseTarget(config, i / 1000) === '2') v2++;
    expect(v2).toBe(50);
    expect(chooseTarget(config, 0.049)).toBe('2'); // "2" sorts before "champion": it holds [0, 0.05)
    expect(chooseTarget(config, 0.05)).toBe('champion');
    expect(chooseTarget({ a: 0, b: 100 }, 0)).toBe('b');
  });
});

describe('stickyDraw', () => {
  it('keeps the values of FNV-1a then fmix32 that routed users were assigned by', () => {
    expect(stickyDraw('user-42') * 2 ** 32).toBe(0x7c2a1196);
    expect(stickyDraw('u1') * 2 ** 32).toBe(0x2488b117);
    expect(stickyDraw('shadow:lat1-0') * 2 ** 32).toBe(0xe934ed0d);
  });

  it('spreads short consecutive keys evenly: every decile within 5 sd of 10%', () => {
    for (const prefix of ['u', 'user-', '']) {
      const deciles = new Array(10).fill(0);
      for (let i = 1; i <= 10_000; i++) deciles[Math.floor(stickyDraw(`${prefix}${i}`) * 10)]++;
      for (const count of deciles) expect(Math.abs(count - 1000)).toBeLessThan(5 * 30); // sd = sqrt(10k * .1 * .9)
    }
  });
});

describe('assign', () => {
  it('gives a key the target its hash names, every time; without a key it draws', () => {
    const config = { '2': 50, champion: 50 };
    const expected = stickyDraw('user-42') < 0.5 ? '2' : 'champion';
    for (let i = 0; i < 20; i++) expect(assign(config, 'user-42')).toBe(expected);
    const drawn = new Set(Array.from({ length: 200 }, () => assign(config, null)));
    expect(drawn).toEqual(new Set(['2', 'champion'])); // each missed 200 times: p = 2^-199
  });
});
