import { defineConfig } from 'vitest/config';

// The HTTP and database suites run twice: once on SQLite, once on PostgreSQL.
// tests/unit holds database-free tests, run once.
const databaseSuites = ['tests/**/*.test.ts'];
const unitSuites = ['tests/unit/**/*.test.ts'];

export default defineConfig({
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: unitSuites } },
      { extends: true, test: { name: 'sqlite', include: databaseSuites, exclude: unitSuites, env: { TEST_DATABASE: 'sqlite' } } },
      { extends: true, test: { name: 'postgresql', include: databaseSuites, exclude: unitSuites, env: { TEST_DATABASE: 'postgresql' } } },
    ],
  },
});
