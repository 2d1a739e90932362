// describe() for suites that need the database under test: on a machine without
// PostgreSQL the postgresql project skips them (global-setup prints the notice).
// describeWithServices: suites that also run redis-server and server processes.
import { describe, inject } from 'vitest';
import { testProvider } from './databases.js';

export const databaseUnavailable = testProvider === 'postgresql' && !inject('postgresAvailable');
export const describeWithDatabase = describe.skipIf(databaseUnavailable);
export const describeWithServices = describe.skipIf(databaseUnavailable || !inject('redisAvailable'));
