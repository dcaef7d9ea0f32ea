import { defineConfig } from 'vitest/config';

// Each run trains three TF.js models and sends several thousand requests through a router and model servers.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 60_000 } });
