import { defineConfig } from 'vitest/config';

// Each run of the lab streams tens of thousands of events through Redis and Postgres.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 60_000 } });
