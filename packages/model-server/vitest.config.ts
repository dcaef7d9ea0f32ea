import { defineConfig } from 'vitest/config';

// Integration tests start real HTTP servers and (embedded or env) Postgres + Redis for the batch job.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
