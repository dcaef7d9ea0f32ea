import { defineConfig } from 'vitest/config';

// The CLI tests spawn `tsx`, whose cold start takes seconds on a busy 2-core machine.
export default defineConfig({ test: { testTimeout: 60_000 } });
