import { defineConfig } from 'vitest/config';

// Some tests start child processes (the load generator, a lab run); on a loaded 2-core machine one
// start can take seconds. A limit, not a speed claim.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
