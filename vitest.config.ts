import { defineConfig } from 'vitest/config';

// The HTTP and database suites run twice: once on SQLite, once on PostgreSQL.
// tests/unit holds database-free tests, run once; tests/browser drives Chromium, once, on SQLite.
const databaseSuites = ['tests/**/*.test.ts'];
const unitSuites = ['tests/unit/**/*.test.ts'];
const browserSuites = ['tests/browser/**/*.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: unitSuites } },
      { extends: true, test: { name: 'browser', include: browserSuites, env: { TEST_DATABASE: 'sqlite' } } },
      { extends: true, test: { name: 'sqlite', include: databaseSuites, exclude: [...unitSuites, ...browserSuites], env: { TEST_DATABASE: 'sqlite' } } },
      {
        extends: true,
        test: { name: 'postgresql', include: databaseSuites, exclude: [...unitSuites, ...browserSuites], env: { TEST_DATABASE: 'postgresql' } },
      },
    ],
  },
});
