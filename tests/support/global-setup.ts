// Runs once before the suites: tells whether PostgreSQL is reachable, so the
// postgresql project can skip with a visible notice on machines without it.
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { postgresAdminUrl } from './databases.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAvailable: boolean;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 2000 });
  let available = true;
  try {
    await client.connect();
    await client.end();
  } catch (error) {
    available = false;
    if (project.name === 'postgresql' && process.env.REQUIRE_POSTGRES === '1') {
      throw new Error(`PostgreSQL is required (REQUIRE_POSTGRES=1) but unreachable at ${postgresAdminUrl}: ${String(error)}`);
    }
    console.warn(`\n*** NOTICE: PostgreSQL unreachable at ${postgresAdminUrl}: the postgresql test project is SKIPPED. ***\n`);
  }
  project.provide('postgresAvailable', available);
}
