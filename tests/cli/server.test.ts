// `npm start`'s process (src/server.ts): refuses bad configuration and unreachable
// databases with one line, migrates a fresh database, serves, and stops on SIGTERM.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { projectRoot } from '../../src/config.js';
import { blankDatabaseUrl, testProvider } from '../support/databases.js';
import { describeWithDatabase } from '../support/suite.js';

const secret = 'server-test-secret-key-0123456789abcdef';

function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', join('src', 'server.ts')], {
    cwd: projectRoot,
    env: { ...process.env, NODE_ENV: 'test', SECRET_KEY: secret, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number);
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

describeWithDatabase(`server process (${testProvider})`, () => {
  let database: Awaited<ReturnType<typeof blankDatabaseUrl>>;
  beforeAll(async () => {
    database = await blankDatabaseUrl();
  });
  afterAll(() => database?.drop());

  it('refuses a bad variable with one line naming it', async () => {
    const server = startServer({ PORT: 'eighty', DATABASE_URL: database.url });
    expect(await server.exited).toBe(1);
    expect(server.output().stderr.trim()).toBe('Configuration error: PORT must be an integer between 1 and 65535 (got "eighty")');
  });

  it('refuses to start when the database cannot be reached', async () => {
    const url = testProvider === 'sqlite' ? 'file:/etc/hostname/db.sqlite3' : 'postgresql://postgres@127.0.0.1:1/none';
    const server = startServer({ DATABASE_URL: url });
    expect(await server.exited).toBe(1);
    const lines = server.output().stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Database migration failed, not starting: /);
  });

  it('migrates a fresh database, serves the API, and exits cleanly on SIGTERM', async () => {
    const port = await freePort();
    const server = startServer({ DATABASE_URL: database.url, PORT: String(port) });
    let response: Response | undefined;
    for (let attempt = 0; attempt < 100 && !response; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      response = await fetch(`http://127.0.0.1:${port}/api/`).catch(() => undefined);
    }
    expect(response?.status).toBe(200);
    expect(await response!.json()).toHaveProperty('posts');
    expect(server.output().stdout).toMatch(/Applied \d+_initial/);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
