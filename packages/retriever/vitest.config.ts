import { defineConfig } from 'vitest/config';

// The HNSW recall test builds a 5k-vector graph and the pgvector test starts an embedded PGlite;
// under `pnpm test` every package runs at once on 2 cores.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
