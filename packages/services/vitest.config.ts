import { defineConfig } from 'vitest/config';

// Embedded PGlite takes ~1-4 s to start on an idle 2-core machine, a child process (tsx) ~1-2 s; a
// killed-run case starts a child with its own embedded services, kills it, and starts again, which
// took over 30 s beside a CPU hog with every other package's tests running. A limit, not a claim.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 120_000 } });
