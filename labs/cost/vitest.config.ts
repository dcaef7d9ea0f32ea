import { defineConfig } from 'vitest/config';

// Each run trains and registers a TF.js model, then sends tens of thousands of requests over loopback.
// The first run of the file took 65-88 s under the whole suite beside a CPU hog: a limit, not a claim.
export default defineConfig({ test: { testTimeout: 300_000, hookTimeout: 60_000 } });
