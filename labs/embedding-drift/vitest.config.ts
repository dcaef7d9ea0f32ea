import { defineConfig } from 'vitest/config';

// Each run loads Postgres and builds four HNSW graphs (v1, a clean v2, a mixed one, the migrated one).
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 60_000 } });
