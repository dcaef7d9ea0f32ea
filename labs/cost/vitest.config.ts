import { defineConfig } from 'vitest/config';

// Each run trains and registers a TF.js model, then sends tens of thousands of requests over loopback.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 60_000 } });
