import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'generator/**/*.test.ts',
      'runtime/**/*.test.ts',
      'scripts/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    globalSetup: ['test/kafka/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
