/** Unit tests: backend decision logic with the Docker engine check injected, compose commands, naming, masking. */
import { describe, expect, it, vi } from 'vitest';
import { composeArgs, dockerEngineAnswers, dockerUrls } from './docker.ts';
import { maskUrl } from './errors.ts';
import { composeServicesFor, planBackends } from './resolve.ts';
import { namesFor, sanitizeNamespace } from './services.ts';

describe('planBackends', () => {
  it('uses env URLs as given and never asks Docker when they cover every need', async () => {
    const engine = vi.fn(async () => true);
    const plan = await planBackends(
      ['pgvector', 'redis'],
      { DATABASE_URL: 'postgres://x', REDIS_URL: 'redis://y' },
      engine,
    );
    expect(plan).toMatchObject({ postgres: 'env', redis: 'env', vector: true, docker: 'not-asked' });
    expect(engine).not.toHaveBeenCalled();
  });

  it('picks docker for the services without an env URL when an engine answers', async () => {
    const plan = await planBackends(
      ['postgres', 'redis'],
      { DATABASE_URL: 'postgres://x' },
      async () => true,
    );
    expect(plan).toMatchObject({ postgres: 'env', redis: 'docker', docker: 'answers', vector: false });
    expect(composeServicesFor(plan)).toEqual(['redis']);
  });

  it('falls through to embedded when no engine answers', async () => {
    const plan = await planBackends(['pgvector', 'redis'], {}, async () => false);
    expect(plan).toMatchObject({ postgres: 'embedded', redis: 'embedded', docker: 'no-engine' });
    expect(composeServicesFor(plan)).toEqual([]);
  });

  it('skips the engine check entirely with MLOPS_LAB_NO_DOCKER=1', async () => {
    const engine = vi.fn(async () => true);
    const plan = await planBackends(['redis'], { MLOPS_LAB_NO_DOCKER: '1' }, engine);
    expect(plan).toMatchObject({ redis: 'embedded', docker: 'disabled' });
    expect(plan.postgres).toBeUndefined();
    expect(engine).not.toHaveBeenCalled();
  });

  it('brings up only what is needed', async () => {
    const plan = await planBackends(['pgvector'], {}, async () => true);
    expect(plan.redis).toBeUndefined();
    expect(composeServicesFor(plan)).toEqual(['postgres']);
  });
});

describe('docker commands', () => {
  it('builds `docker compose -f <file> up -d --wait <services>`', () => {
    expect(composeArgs('up', ['postgres', 'redis'], '/repo/docker-compose.yml')).toEqual([
      'compose',
      '-f',
      '/repo/docker-compose.yml',
      'up',
      '-d',
      '--wait',
      'postgres',
      'redis',
    ]);
    expect(composeArgs('down-volumes', [], '/r/c.yml')).toEqual(['compose', '-f', '/r/c.yml', 'down', '-v']);
  });

  it('derives URLs from the non-standard default ports, overridable by env', () => {
    expect(dockerUrls({})).toEqual({
      postgres: 'postgres://mlops:mlops@127.0.0.1:54329/mlops',
      redis: 'redis://127.0.0.1:63799',
    });
    const custom = dockerUrls({ MLOPS_LAB_PG_PORT: '6000', MLOPS_LAB_REDIS_PORT: '6001' });
    expect(custom.postgres).toContain('127.0.0.1:6000');
    expect(custom.redis).toBe('redis://127.0.0.1:6001');
  });

  it('answers the engine question with a yes or no, whatever the machine has', async () => {
    expect(typeof (await dockerEngineAnswers(3000))).toBe('boolean');
  });
});

describe('names', () => {
  it('makes per-run and kept schema / key prefix names from a namespace', () => {
    expect(namesFor('Feature-Store', false, 'abc12345')).toEqual({
      schema: 'run_feature_store_abc12345',
      keyPrefix: 'run:feature_store:abc12345:',
    });
    expect(namesFor('registry', true)).toEqual({ schema: 'mlops_registry', keyPrefix: 'mlops:registry:' });
    const a = namesFor('drift', false);
    const b = namesFor('drift', false);
    expect(a.schema).toMatch(/^run_drift_[a-z0-9]{8}$/);
    expect(a.schema).not.toBe(b.schema);
    expect(() => sanitizeNamespace('---')).toThrow(/no usable characters/);
  });

  it('masks passwords in URLs', () => {
    expect(maskUrl('postgres://u:secret@h:5432/db')).toBe('postgres://u:***@h:5432/db');
    expect(maskUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});
