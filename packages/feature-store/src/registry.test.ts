/**
 * The feature registry in Postgres (Q6): a second team finds a feature by owner, entity, tag or name,
 * and gets back the same validated definition the first team registered.
 */
import { testServices } from '@mlops-lab/services/vitest';
import { describe, expect, it } from 'vitest';
import { defineFeatureView } from './definitions.ts';
import { FeatureStoreError } from './errors.ts';
import { featureRegistryMigrations, listFeatureViews, registerFeatureViews } from './registry.ts';
import { activityView } from './testing/activity.ts';
import type { FeatureView } from './types.ts';

const services = testServices({
  needs: ['postgres'],
  namespace: 'fs-registry',
  prepare: (s) => s.migrate('feature-registry', featureRegistryMigrations),
});

const merchant = defineFeatureView({
  ...activityView,
  name: 'merchant_risk',
  entity: { name: 'merchant', joinKeys: ['merchant_id'] },
  source: { ...activityView.source, table: 'merchant_risk' },
  features: [{ name: 'chargeback_rate', type: 'float' }],
  ttlMs: null,
  owner: 'merchant-team',
  tags: { domain: 'payments' },
});

describe('feature registry', () => {
  it('registers views and finds them by owner, entity, tags and feature name', async () => {
    await registerFeatureViews(services.pg, [activityView, merchant]);
    expect(await listFeatureViews(services.pg)).toEqual([activityView, merchant]);
    expect((await listFeatureViews(services.pg, { owner: 'merchant-team' })).map((v) => v.name)).toEqual([
      'merchant_risk',
    ]);
    expect((await listFeatureViews(services.pg, { entity: 'customer' })).map((v) => v.name)).toEqual([
      'customer_activity',
    ]);
    expect((await listFeatureViews(services.pg, { tags: { domain: 'payments' } })).length).toBe(2);
    expect((await listFeatureViews(services.pg, { tags: { tier: 'gold' } })).map((v) => v.name)).toEqual([
      'customer_activity',
    ]);
    expect((await listFeatureViews(services.pg, { feature: 'chargeback_rate' })).map((v) => v.name)).toEqual([
      'merchant_risk',
    ]);
    expect(await listFeatureViews(services.pg, { owner: 'nobody' })).toEqual([]);
  });

  it('registering again replaces the definition (and keeps one row)', async () => {
    const changed = defineFeatureView({
      ...merchant,
      description: 'share of disputed payments',
      ttlMs: 1000,
    });
    await registerFeatureViews(services.pg, [changed]);
    const found = await listFeatureViews(services.pg, { owner: 'merchant-team' });
    expect(found).toEqual([changed]);
    expect(Object.isFrozen(found[0])).toBe(true);
  });

  it('refuses an invalid view before writing anything', async () => {
    const bad = { ...activityView, name: 'bad view' } as FeatureView;
    await expect(registerFeatureViews(services.pg, [bad])).rejects.toBeInstanceOf(FeatureStoreError);
    expect((await listFeatureViews(services.pg)).length).toBe(2);
  });
});
