// describe() for suites that need the database under test: on a machine without
// PostgreSQL the postgresql project skips them (global-setup prints the notice).
import { describe, inject } from 'vitest';
import { testProvider } from './databases.js';

export const databaseUnavailable = testProvider === 'postgresql' && !inject('postgresAvailable');
export const describeWithDatabase = describe.skipIf(databaseUnavailable);
