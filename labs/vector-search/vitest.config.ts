import { defineConfig } from 'vitest/config';

// Each run builds HNSW graphs over three corpus sizes and loads pgvector on the embedded Postgres.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 60_000 } });
