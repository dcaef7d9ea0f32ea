import { defineConfig } from 'vitest/config';

// Each run serves thousands of requests through Redis and recomputes them in Postgres, four times.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 60_000 } });
