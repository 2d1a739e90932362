// `npm start`'s process (src/server.ts): refuses bad configuration and unreachable
// databases with one line, migrates a fresh database, serves, and stops on SIGTERM.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { blankDatabaseUrl, testProvider } from '../support/databases.js';
import { spawnServer, startServer } from '../support/instances.js';
import { describeWithDatabase } from '../support/suite.js';

const base = { NODE_ENV: 'test', SECRET_KEY: 'server-test-secret-key-0123456789abcdef' };

describeWithDatabase(`server process (${testProvider})`, () => {
  let database: Awaited<ReturnType<typeof blankDatabaseUrl>>;
  beforeAll(async () => {
    database = await blankDatabaseUrl();
  });
  afterAll(() => database?.drop());

  it('refuses a bad variable with one line naming it', async () => {
    const server = spawnServer({ ...base, PORT: 'eighty', DATABASE_URL: database.url });
    expect(await server.exited).toBe(1);
    expect(server.output().stderr.trim()).toBe('Configuration error: PORT must be an integer between 0 and 65535 (got "eighty")');
  });

  it('refuses to start when the database cannot be reached', async () => {
    const url = testProvider === 'sqlite' ? 'file:/etc/hostname/db.sqlite3' : 'postgresql://postgres@127.0.0.1:1/none';
    const server = spawnServer({ ...base, DATABASE_URL: url });
    expect(await server.exited).toBe(1);
    const lines = server.output().stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Database migration failed, not starting: /);
  });

  it('migrates a fresh database, serves the API, and exits cleanly on SIGTERM', async () => {
    const server = await startServer({ ...base, DATABASE_URL: database.url });
    const response = await server.request('/api/');
    expect(response.status).toBe(200);
    expect(response.body).toHaveProperty('posts');
    expect(server.output().stdout).toMatch(/Applied \d+_initial/);
    expect(await server.stop()).toBe(0);
  });
});
