/**
 * docker-compose.yml checked without a Docker engine: it parses as YAML, has the two services the
 * library resolves to (docker.ts), binds their ports to loopback only, and each healthcheck asks
 * the way a client connects (Postgres over TCP: the image's init-time server listens on the socket
 * only, so a socket check passes before the real server is up). `docker compose config -q` in CI
 * checks the full Compose schema where the plugin exists.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { composeFile } from './paths.ts';

interface ComposeService {
  image: string;
  ports: string[];
  healthcheck: { test: string[] };
}

const compose = parse(readFileSync(composeFile(), 'utf8')) as {
  services: Record<string, ComposeService>;
};

describe('docker-compose.yml', () => {
  it('declares postgres (pgvector) and redis', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['postgres', 'redis']);
    expect(compose.services.postgres.image).toMatch(/^pgvector\/pgvector:/);
    expect(compose.services.redis.image).toMatch(/^redis:7/);
  });

  it('publishes every port on 127.0.0.1 only', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of service.ports) expect(port, name).toMatch(/^127\.0\.0\.1:/);
    }
  });

  it('checks Postgres health over TCP, not the socket', () => {
    const test = compose.services.postgres.healthcheck.test.join(' ');
    expect(test).toMatch(/pg_isready .*-h 127\.0\.0\.1/);
  });
});
