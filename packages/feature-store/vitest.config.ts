import { defineConfig } from 'vitest/config';

// Integration tests start an embedded Postgres (or use DATABASE_URL) and run hundreds of random cases;
// under `pnpm test` every package runs at once on 2 cores.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
