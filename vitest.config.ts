import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{lib,server,client,bench,scripts,examples}/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
