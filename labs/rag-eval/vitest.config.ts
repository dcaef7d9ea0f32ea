import { defineConfig } from 'vitest/config';

// Each run chunks, embeds and indexes a few thousand documents, then answers the golden set.
export default defineConfig({ test: { testTimeout: 120_000, hookTimeout: 60_000 } });
