import { defineConfig } from 'vitest/config';

// Each run trains a small TF.js model, then starts two servers and loads each for a few seconds.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 60_000 } });
