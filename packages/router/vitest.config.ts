import { defineConfig } from 'vitest/config';

// Embedded PGlite and redis-server take a few seconds to start on a loaded 2-core machine.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
