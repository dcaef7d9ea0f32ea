import { defineConfig } from 'vitest/config';

// Each run trains three TF.js versions and sends a few thousand requests through a routed server.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 60_000 } });
