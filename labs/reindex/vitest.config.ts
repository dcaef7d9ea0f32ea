import { defineConfig } from 'vitest/config';

// Each run loads Postgres, builds an HNSW graph twice and may wait for the feed on a busy shared server.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 60_000 } });
