import { defineConfig } from 'vitest/config';

// Each run trains three TF.js models and sends several thousand requests through a router and model
// servers. About 20 s on an idle machine; the first (healthy) run took 108-123 s under the whole suite
// beside a CPU hog. A limit, not a speed claim.
export default defineConfig({ test: { testTimeout: 300_000, hookTimeout: 60_000 } });
