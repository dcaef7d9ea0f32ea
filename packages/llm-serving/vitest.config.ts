import { defineConfig } from 'vitest/config';

// Some tests build 100k-row samples; under `pnpm test` every package runs at once on 2 cores.
export default defineConfig({ test: { testTimeout: 30_000 } });
