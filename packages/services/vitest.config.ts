import { defineConfig } from 'vitest/config';

// Embedded PGlite takes ~1-4 s to start on a loaded 2-core machine; child processes (tsx) ~1-2 s.
export default defineConfig({ test: { testTimeout: 30_000, hookTimeout: 30_000 } });
