/**
 * Integration test against real Postgres: DATABASE_URL when set, else whatever @mlops-lab/services
 * resolves (Docker, embedded PGlite). The per-run schema is dropped by close().
 */
import { testServices } from '@mlops-lab/services/vitest';
import { describe, expect, it } from 'vitest';
import { ProfileNotFoundError } from './errors.ts';
import { buildProfile, type NumericFeatureProfile } from './profile.ts';
import { deleteProfile, driftMigrations, loadProfile, saveProfile } from './profile-store.ts';
import { makeRows, TEST_SCHEMA } from './testing/data.ts';

const services = testServices({
  needs: ['postgres'],
  namespace: 'drift-test',
  prepare: (s) => s.migrate('drift', driftMigrations),
});

describe('profile store (Postgres)', () => {
  const profile = buildProfile(makeRows(1, 20_000, { xNullRate: 0.05 }), TEST_SCHEMA, { sampleSize: 5000 });

  it('round-trips a profile: metadata equal, samples bit-identical', async () => {
    await saveProfile(services.pg, 'ref-a', profile);
    const loaded = await loadProfile(services.pg, 'ref-a');
    expect(loaded).toEqual(profile);
    const x = loaded.features.find((f) => f.name === 'x') as NumericFeatureProfile;
    expect(x.sample).toBeInstanceOf(Float64Array);
    expect(x.sample.length).toBe(5000);
    const original = profile.features.find((f) => f.name === 'x') as NumericFeatureProfile;
    expect(Buffer.from(x.sample.buffer).equals(Buffer.from(original.sample.buffer))).toBe(true);
  });

  it('stores samples as one bytea and the rest as jsonb', async () => {
    const { rows } = await services.pg.query(
      "select octet_length(samples) as bytes, jsonb_typeof(profile) as kind from drift_profiles where name = 'ref-a'",
    );
    const numericValues = profile.features.reduce(
      (n, f) => n + (f.type === 'numeric' ? f.sample.length : 0),
      0,
    );
    expect(Number(rows[0].bytes)).toBe(numericValues * 8);
    expect(rows[0].kind).toBe('object');
  });

  it('saving under an existing name replaces it', async () => {
    const other = buildProfile(makeRows(2, 300), TEST_SCHEMA);
    await saveProfile(services.pg, 'ref-a', other);
    const loaded = await loadProfile(services.pg, 'ref-a');
    expect(loaded.rowCount).toBe(300);
    expect(loaded).toEqual(other);
  });

  it('a missing profile is a typed error that says how to create one', async () => {
    await expect(loadProfile(services.pg, 'nope')).rejects.toBeInstanceOf(ProfileNotFoundError);
    await expect(loadProfile(services.pg, 'nope')).rejects.toThrow(/saveProfile/);
  });

  it('deleteProfile removes it and reports whether it existed', async () => {
    expect(await deleteProfile(services.pg, 'ref-a')).toBe(true);
    expect(await deleteProfile(services.pg, 'ref-a')).toBe(false);
  });

  it('migrations are idempotent', async () => {
    await services.migrate('drift', driftMigrations);
    const { rows } = await services.pg.query('select count(*)::int as n from drift_profiles');
    expect(rows[0].n).toBe(0);
  });
});
