/**
 * Storing reference profiles in Postgres, once per model/dataset, so every monitoring job compares
 * against the same "normal" (Q26, Q27).
 *
 * One row per profile: `profile jsonb` holds everything small (counts, null rates, summaries, and per
 * numeric feature the offset/length of its sample), `samples bytea` holds all sorted samples as one
 * little-endian float64 blob. Why bytea and not float8[] or JSON: 20 features x 50k values are 1M
 * numbers; as bytea they travel as 8 MB of binary (a Buffer in node-postgres, copied straight into a
 * Float64Array) instead of 1M decimal strings to print and parse. The column uses STORAGE EXTERNAL:
 * random doubles do not compress, so TOAST should not spend time trying.
 */
import { endianness } from 'node:os';
import { DriftInputError, ProfileNotFoundError } from './errors.ts';
import type { FeatureProfile, NumericFeatureProfile, Profile } from './profile.ts';

/** What the store needs from a pg.Pool (or a pg.Client, or services' pool). */
export interface Queryable {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

/** Same shape as @mlops-lab/services' Migration: apply with `services.migrate('drift', driftMigrations)`. */
export interface DriftMigration {
  id: string;
  sql: string;
}

export const driftMigrations: DriftMigration[] = [
  {
    id: '001_drift_profiles',
    sql: `
create table if not exists drift_profiles (
  name text primary key,
  created_at timestamptz not null,
  profile jsonb not null,
  samples bytea not null
);
alter table drift_profiles alter column samples set storage external;`,
  },
];

const LITTLE_ENDIAN = endianness() === 'LE';

type StoredNumeric = Omit<NumericFeatureProfile, 'sample'> & { sampleOffset: number; sampleLength: number };
type StoredFeature = Exclude<FeatureProfile, NumericFeatureProfile> | StoredNumeric;
type StoredProfile = Omit<Profile, 'features'> & { features: StoredFeature[] };

function encodeSamples(profile: Profile): { meta: StoredProfile; blob: Buffer } {
  let total = 0;
  for (const f of profile.features) if (f.type === 'numeric') total += f.sample.length;
  const all = new Float64Array(total);
  let offset = 0;
  const features = profile.features.map((f): StoredFeature => {
    if (f.type !== 'numeric') return f;
    const { sample, ...rest } = f;
    all.set(sample, offset);
    const stored = { ...rest, sampleOffset: offset, sampleLength: sample.length };
    offset += sample.length;
    return stored;
  });
  let blob = Buffer.from(all.buffer, all.byteOffset, all.byteLength);
  if (!LITTLE_ENDIAN) {
    blob = Buffer.alloc(all.byteLength);
    for (let i = 0; i < all.length; i++) blob.writeDoubleLE(all[i], i * 8);
  }
  return { meta: { ...profile, features }, blob };
}

function decodeSample(blob: Buffer, offset: number, length: number, feature: string): Float64Array {
  const start = offset * 8;
  const end = start + length * 8;
  if (!(Number.isInteger(offset) && Number.isInteger(length) && start >= 0 && end <= blob.length)) {
    throw new DriftInputError(
      `stored sample of feature "${feature}" lies outside the samples blob; re-save the profile`,
    );
  }
  const out = new Float64Array(length);
  if (LITTLE_ENDIAN) {
    // The Buffer may start at any byte offset, so copy bytes rather than view them as float64.
    new Uint8Array(out.buffer).set(blob.subarray(start, end));
  } else {
    for (let i = 0; i < length; i++) out[i] = blob.readDoubleLE(start + i * 8);
  }
  return out;
}

/** Insert or replace the profile called `name`. One statement, so it is atomic without a transaction. */
export async function saveProfile(pool: Queryable, name: string, profile: Profile): Promise<void> {
  if (!name) throw new DriftInputError('saveProfile needs a non-empty profile name');
  const { meta, blob } = encodeSamples(profile);
  await pool.query(
    `insert into drift_profiles (name, created_at, profile, samples) values ($1, $2, $3, $4)
     on conflict (name) do update
       set created_at = excluded.created_at, profile = excluded.profile, samples = excluded.samples`,
    [name, profile.createdAt, JSON.stringify(meta), blob],
  );
}

/** Load the profile called `name`; throws ProfileNotFoundError when there is none. */
export async function loadProfile(pool: Queryable, name: string): Promise<Profile> {
  const res = await pool.query('select profile, samples from drift_profiles where name = $1', [name]);
  if (res.rows.length === 0) throw new ProfileNotFoundError(name);
  const row = res.rows[0];
  const meta = (typeof row.profile === 'string' ? JSON.parse(row.profile) : row.profile) as StoredProfile;
  const blob = row.samples as Buffer;
  if (meta.version !== 1) {
    throw new DriftInputError(`profile "${name}" has version ${meta.version}; this code reads version 1`);
  }
  const features = meta.features.map((f): FeatureProfile => {
    if (f.type !== 'numeric') return f;
    const { sampleOffset, sampleLength, ...rest } = f as StoredNumeric;
    return { ...rest, sample: decodeSample(blob, sampleOffset, sampleLength, f.name) };
  });
  return { ...meta, features };
}

/** Delete the profile called `name`; returns whether one existed. */
export async function deleteProfile(pool: Queryable, name: string): Promise<boolean> {
  const res = await pool.query('delete from drift_profiles where name = $1 returning name', [name]);
  return res.rows.length > 0;
}
