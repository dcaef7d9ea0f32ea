/**
 * Feature view definitions (Q6): what defineFeatureView refuses and why, the frozen result, and the
 * discovery listing a second team reads.
 */
import { describe, expect, it } from 'vitest';
import { defineFeatureView, describeFeatureViews, formatTtl, sourceColumns } from './definitions.ts';
import { FeatureStoreError } from './errors.ts';
import { activitySpec } from './testing/activity.ts';
import type { FeatureView } from './types.ts';

const base = activitySpec;

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof FeatureStoreError ? e.code : `not a FeatureStoreError: ${e}`;
  }
  return 'no error';
};

describe('defineFeatureView', () => {
  it('returns a deeply frozen copy', () => {
    const view = defineFeatureView(base);
    expect(view).toEqual(base);
    expect(view).not.toBe(base);
    expect(Object.isFrozen(view.features[0])).toBe(true);
    expect(Object.isFrozen(view.entity.joinKeys)).toBe(true);
    expect(() => {
      (view.entity.joinKeys as string[]).push('x');
    }).toThrow(TypeError);
    expect(defineFeatureView(view)).toEqual(view); // idempotent
  });

  it('a negative ttl is a NEGATIVE_TTL error that says what a ttl is', () => {
    expect(codeOf(() => defineFeatureView({ ...base, ttlMs: -1 }))).toBe('NEGATIVE_TTL');
    expect(() => defineFeatureView({ ...base, ttlMs: -1 })).toThrow(
      /must be a finite number >= 0 \(ms\), or null/,
    );
    expect(codeOf(() => defineFeatureView({ ...base, ttlMs: Number.NaN }))).toBe('NEGATIVE_TTL');
    expect(defineFeatureView({ ...base, ttlMs: null }).ttlMs).toBeNull();
    expect(defineFeatureView({ ...base, ttlMs: 0 }).ttlMs).toBe(0);
  });

  it.each([
    ['a view name that is not an identifier', { name: 'Customer Activity' }, /name "Customer Activity"/],
    ['an upper-case join key', { entity: { name: 'c', joinKeys: ['customerId'] } }, /join key "customerId"/],
    ['no join keys', { entity: { name: 'c', joinKeys: [] } }, /has no join keys/],
    ['a quoted table name', { source: { ...base.source, table: 'a"; drop table x; --' } }, /source table/],
    ['a three-part table name', { source: { ...base.source, table: 'a.b.c' } }, /schema\.table/],
    ['no features', { features: [] }, /at least one feature/],
    [
      'a duplicate feature',
      { features: [base.features[0], { name: base.features[0].name, type: 'int' as const }] },
      /"amount_7d" is used twice/,
    ],
    [
      'a feature named like a join key',
      { features: [{ name: 'customer_id', type: 'int' as const }] },
      /used twice/,
    ],
    [
      'the reserved ingest_seq column',
      { features: [{ name: 'ingest_seq', type: 'int' as const }] },
      /ingestion sequence/,
    ],
    [
      'an unknown type',
      { features: [{ name: 'x', type: 'double' as never }] },
      /use one of float, int, string/,
    ],
    ['no owner', { owner: ' ' }, /owner is empty/],
  ])('refuses %s', (_, patch, message) => {
    const bad = { ...base, ...patch } as FeatureView;
    expect(codeOf(() => defineFeatureView(bad))).toBe('INVALID_VIEW');
    expect(() => defineFeatureView(bad)).toThrow(message);
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses a feature, view or join key named %s: a plain object would lose it or read back another value',
    (name) => {
      const asFeature = { ...base, features: [{ name, type: 'float' as const }] };
      const asView = { ...base, name };
      const asKey = { ...base, entity: { name: 'c', joinKeys: [name] } };
      for (const bad of [asFeature, asView, asKey]) {
        expect(codeOf(() => defineFeatureView(bad))).toBe('INVALID_VIEW');
        expect(() => defineFeatureView(bad)).toThrow(`"${name}" is reserved`);
      }
    },
  );

  it('accepts a schema-qualified table and lists the source columns', () => {
    const view = defineFeatureView({
      ...base,
      source: { ...base.source, table: 'analytics.customer_activity' },
    });
    expect(sourceColumns(view)).toEqual([
      'customer_id',
      'event_ts',
      'created_ts',
      'ingest_seq',
      'amount_7d',
      'txn_count_7d',
      'segment',
      'last_event_at',
    ]);
  });
});

describe('describeFeatureViews', () => {
  it('one row per feature with entity, ttl, owner, description and tags', () => {
    const other = defineFeatureView({
      ...base,
      name: 'merchant_risk',
      entity: { name: 'merchant', joinKeys: ['merchant_id', 'country'] },
      features: [{ name: 'risk', type: 'float' }],
      ttlMs: null,
      owner: 'merchant-team',
      tags: undefined,
    });
    expect(describeFeatureViews([defineFeatureView(base), other])).toEqual([
      {
        view: 'customer_activity',
        feature: 'amount_7d',
        type: 'float',
        entity: 'customer (customer_id)',
        ttl: '2h',
        owner: 'payments-ml',
        description: 'rolling spend per customer',
        tags: 'domain=payments, tier=gold',
      },
      expect.objectContaining({ feature: 'txn_count_7d', type: 'int' }),
      expect.objectContaining({ feature: 'segment', type: 'string' }),
      expect.objectContaining({
        feature: 'last_event_at',
        description: 'ms since epoch of the latest transaction',
      }),
      expect.objectContaining({ entity: 'merchant (merchant_id, country)', ttl: 'forever', tags: '' }),
    ]);
  });

  it('formats ttls', () => {
    expect(formatTtl(null)).toBe('forever');
    expect(formatTtl(0)).toBe('0ms');
    expect(formatTtl(90 * 60_000)).toBe('1h 30m');
    expect(formatTtl(86_400_000 + 1500)).toBe('1d 1s 500ms');
    expect(formatTtl(2.5)).toBe('2.5ms');
  });
});
