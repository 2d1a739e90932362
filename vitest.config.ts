import { defineConfig } from 'vitest/config';

// The HTTP and database suites run twice: once on SQLite, once on PostgreSQL.
// tests/unit holds database-free tests, run once; tests/browser drives Chromium, once, on SQLite.
// tests/instances runs redis-server and server processes against PostgreSQL (shared throttle
// counts, several instances), once.
const databaseSuites = ['tests/**/*.test.ts'];
const unitSuites = ['tests/unit/**/*.test.ts'];
const browserSuites = ['tests/browser/**/*.test.ts'];
const instanceSuites = ['tests/instances/**/*.test.ts'];
const onceSuites = [...unitSuites, ...browserSuites, ...instanceSuites];

export default defineConfig({
  test: {
    globalSetup: ['tests/support/global-setup.ts'],
    // Backstops against a hang, not speed limits: on a loaded two-core machine a test that spawns
    // a process or migrates a fresh database takes many times its quiet duration.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    projects: [
      { extends: true, test: { name: 'unit', include: unitSuites } },
      { extends: true, test: { name: 'browser', include: browserSuites, env: { TEST_DATABASE: 'sqlite' } } },
      { extends: true, test: { name: 'sqlite', include: databaseSuites, exclude: onceSuites, env: { TEST_DATABASE: 'sqlite' } } },
      { extends: true, test: { name: 'postgresql', include: databaseSuites, exclude: onceSuites, env: { TEST_DATABASE: 'postgresql' } } },
      { extends: true, test: { name: 'instances', include: instanceSuites, env: { TEST_DATABASE: 'postgresql' } } },
    ],
  },
});
