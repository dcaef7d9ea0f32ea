import { defineConfig } from 'vitest/config';

// Training a TF.js model twice and starting embedded PGlite take several seconds on 2 cores.
export default defineConfig({ test: { testTimeout: 60_000, hookTimeout: 60_000 } });
