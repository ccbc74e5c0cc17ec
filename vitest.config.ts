import { defineConfig } from 'vitest/config';

// Three tiers, each runnable alone (npm run test:unit | test:integration | test:e2e):
// unit tests touch no disk or network; integration tests use real adapters (SQLite files,
// and later ClickHouse, Kafka, SMTP peers); e2e tests drive the built system as a user would.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', 'test/e2e/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          exclude: ['test/e2e/**'],
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
