import { defineConfig } from 'vitest/config';

// Native addons are safest in forked workers (one addon instance per process).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 20000,
    hookTimeout: 20000,
  },
});
