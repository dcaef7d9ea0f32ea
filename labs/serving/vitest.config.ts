import { defineConfig } from 'vitest/config';

// Each run trains a TF.js model, puts HTTP load on a real server and runs a BullMQ batch job.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 60_000 } });
