// A starting worker opens its first PostgreSQL connection itself (src/worker.ts), so the first
// request it serves does not wait for one.
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { blankDatabaseUrl, postgresAdminUrl } from '../support/databases.js';
import { eventually, startServer, type RunningServer } from '../support/instances.js';
import { describeWithDatabase } from '../support/suite.js';

describeWithDatabase('a starting worker (postgresql)', () => {
  let database: Awaited<ReturnType<typeof blankDatabaseUrl>>;
  let server: RunningServer | undefined;
  let admin: pg.Client;

  beforeAll(async () => {
    database = await blankDatabaseUrl('postgresql');
    await migrate(database.url);
    admin = new pg.Client({ connectionString: postgresAdminUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await server?.stop();
    await admin?.end();
    await database?.drop();
  });

  it('opens a connection in each worker before any request', async () => {
    const name = new URL(database.url).pathname.slice(1);
    const connections = async () =>
      Number((await admin.query<{ n: string }>('SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = $1', [name])).rows[0]!.n);
    expect(await connections()).toBe(0);
    server = await startServer({ NODE_ENV: 'test', SECRET_KEY: 'worker-start-test-secret-key-0123456789', DATABASE_URL: database.url, WEB_CONCURRENCY: '2' }, 2);
    await eventually('each worker has a connection', async () => (await connections()) === 2);
    expect(await connections()).toBe(2);
    // The connection serves the requests.
    const response = await server.request('/api/posts/');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ count: 0, next: null, previous: null, results: [] });
  });
});
