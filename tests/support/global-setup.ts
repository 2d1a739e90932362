// Runs once per test project before its suites: tells whether PostgreSQL is reachable,
// whether redis-server can be run and whether Chromium is installed, so the projects
// needing them skip with a visible notice on machines without them (and fail instead
// under REQUIRE_POSTGRES / REQUIRE_REDIS / REQUIRE_CHROMIUM, as in CI).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { postgresAdminUrl } from './databases.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAvailable: boolean;
    redisAvailable: boolean;
    chromiumAvailable: boolean;
  }
}

/** Debian's Chromium, which the browser test drives (playwright-core downloads no browser). */
export const chromiumPath = '/usr/bin/chromium';

/** The projects that run against PostgreSQL, and the one that also runs its own redis-server. */
const postgresProjects = ['postgresql', 'instances'];
const redisProjects = ['instances'];
const chromiumProjects = ['browser'];

async function postgresReachable(): Promise<string | null> {
  const client = new pg.Client({ connectionString: postgresAdminUrl, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return null;
  } catch (error) {
    return `PostgreSQL unreachable at ${postgresAdminUrl}: ${String(error)}`;
  }
}

function redisServerRuns(): string | null {
  const result = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? null : `redis-server cannot be run: ${result.error?.message ?? result.stderr}`;
}

export default async function setup(project: TestProject): Promise<void> {
  const postgresProblem = postgresProjects.includes(project.name) ? await postgresReachable() : null;
  const redisProblem = redisProjects.includes(project.name) ? redisServerRuns() : null;
  const chromiumProblem =
    chromiumProjects.includes(project.name) && !existsSync(chromiumPath)
      ? `Chromium is missing at ${chromiumPath} (apt-get install chromium; .ci/run does)`
      : null;
  for (const [problem, requiredBy] of [
    [postgresProblem, 'REQUIRE_POSTGRES'],
    [redisProblem, 'REQUIRE_REDIS'],
    [chromiumProblem, 'REQUIRE_CHROMIUM'],
  ] as const) {
    if (!problem) continue;
    if (process.env[requiredBy] === '1') throw new Error(`${problem} (${requiredBy}=1)`);
    console.warn(`\n*** NOTICE: ${problem}: the ${project.name} test project is SKIPPED. ***\n`);
  }
  project.provide('postgresAvailable', postgresProblem === null);
  project.provide('redisAvailable', redisProblem === null);
  project.provide('chromiumAvailable', chromiumProblem === null);
}
