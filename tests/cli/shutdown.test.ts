// The server process's start and stop under pressure: a busy port is one line and exit 1;
// SIGTERM under 64 keep-alive clients drains like gunicorn (every request written on an
// open connection gets its response, later ones are told `Connection: close`), as one
// process and as 2 worker threads; a drain that cannot finish is cut off at GRACEFUL_TIMEOUT.
import { Agent, get } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { projectRoot } from '../../src/config.js';
import { blankDatabaseUrl, testProvider } from '../support/databases.js';
import { spawnServer, startServer, type RunningServer } from '../support/instances.js';
import { describeWithDatabase } from '../support/suite.js';

/** Each test starts server processes (tsx compiles on start): slow on a loaded machine, but never hanging. */
const processTimeout = { timeout: 120_000 };

const base = {
  NODE_ENV: 'test',
  SECRET_KEY: 'server-test-secret-key-0123456789abcdef',
  THROTTLE_ANON_RATE: 'none',
  THROTTLE_USER_RATE: 'none',
};

/** What 64 keep-alive clients saw, each sending GETs one after another until the server refuses them. */
interface LoadOutcome {
  answered: number;
  /** Requests whose connection was refused or never served: nothing was sent on an open connection. */
  refused: number;
  /** Requests written on an open (reused) connection that got no complete response. */
  lost: string[];
  statuses: number[];
  /** Responses during the drain: each must close its connection. */
  closing: number;
}

/** Runs the clients, sends SIGTERM once `before` responses came back, and resolves when every client stopped. */
async function loadThenStop(server: RunningServer, before: number): Promise<LoadOutcome & { exitCode: number | null }> {
  const clients = 64;
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const outcome: LoadOutcome = { answered: 0, refused: 0, lost: [], statuses: [], closing: 0 };
  let stopped: Promise<number | null> | undefined;
  const once = () =>
    new Promise<boolean>((resolve) => {
      const request = get(`${server.baseUrl}/api/posts/`, { agent }, (response) => {
        response.resume();
        response.on('end', () => {
          outcome.answered += 1;
          outcome.statuses.push(response.statusCode!);
          if (stopped && response.headers.connection === 'close') outcome.closing += 1;
          if (outcome.answered >= before) stopped ??= server.stop();
          resolve(true);
        });
        response.on('error', (error) => {
          outcome.lost.push(`response cut: ${error.message}`);
          resolve(false);
        });
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        // A fresh connection the listener no longer takes (refused, or reset from its backlog) carried nothing yet.
        if (error.code === 'ECONNREFUSED' || !request.reusedSocket) outcome.refused += 1;
        else outcome.lost.push(`${error.code ?? ''} ${error.message} on a kept-alive connection`);
        resolve(false);
      });
    });
  const client = async () => {
    for (let i = 0; i < 1000 && (await once()); i += 1);
  };
  await Promise.all(Array.from({ length: clients }, client));
  agent.destroy();
  return { ...outcome, exitCode: await (stopped ?? server.stop()) };
}

describeWithDatabase(`server start and stop (${testProvider})`, () => {
  let database: Awaited<ReturnType<typeof blankDatabaseUrl>>;
  let env: Record<string, string>;
  beforeAll(async () => {
    database = await blankDatabaseUrl();
    env = { ...base, DATABASE_URL: database.url };
    // Migrated once here; the servers below start with MIGRATE_ON_START=false.
    await (await startServer(env)).stop();
    env.MIGRATE_ON_START = 'false';
  });
  afterAll(() => database?.drop());

  // Worker threads listen with SO_REUSEPORT, which would let a second server of ours share the
  // port; the main thread checks that the port is free first.
  for (const firstWorkers of ['1', '2']) {
    it(`names a busy port (held by ${firstWorkers} worker${firstWorkers === '1' ? '' : 's'}) in one line and exits 1, as one process and as worker threads`, processTimeout, async () => {
      const first = await startServer({ ...env, WEB_CONCURRENCY: firstWorkers }, Number(firstWorkers));
      const port = new URL(first.baseUrl).port;
      try {
        for (const workers of ['1', '2']) {
          const second = spawnServer({ ...env, PORT: port, WEB_CONCURRENCY: workers });
          expect(await second.exited).toBe(1);
          const lines = second.output().stderr.trim().split('\n');
          // The warning about unshared throttle counts aside, the one line.
          expect(lines.filter((line) => !line.startsWith('Warning: '))).toEqual([`Cannot listen on port ${port}: it is already in use.`]);
        }
        expect(first.output().stdout).not.toMatch(/received/);
      } finally {
        await first.stop();
      }
    });
  }

  for (const workers of [1, 2]) {
    it(`drains on SIGTERM under 64 keep-alive clients with ${workers} worker${workers > 1 ? 's' : ''}: no request lost`, processTimeout, async () => {
      const server = await startServer({ ...env, WEB_CONCURRENCY: String(workers) }, workers);
      const outcome = await loadThenStop(server, 300);
      expect(outcome.lost).toEqual([]);
      expect(outcome.exitCode).toBe(0);
      expect(new Set(outcome.statuses)).toEqual(new Set([200]));
      expect(outcome.answered).toBeGreaterThanOrEqual(300);
      // Every client's next connection was refused. Its kept-alive one was closed either by a
      // response saying so or, had the client (on a loaded machine) stayed idle past
      // KEEP_ALIVE_TIMEOUT, between two of its requests: so not every client sees a closing response.
      expect(outcome.refused).toBe(64);
      expect(outcome.closing).toBeGreaterThan(0);
      expect(server.output().stdout).toMatch(/SIGTERM received: finishing open requests \(at most 30 s\), then exiting\./);
      expect(server.output().stderr).not.toMatch(/Closed \d+ connections/);
    });
  }

  it('replaces a worker thread that dies of an uncaught exception; the others serve on', processTimeout, async () => {
    const preload = join(projectRoot, 'tests', 'fixtures', 'crash-first-worker.mjs');
    const server = await startServer({ ...env, WEB_CONCURRENCY: '2' }, 2, { preload });
    try {
      await server.printed(/\(\w+, \w+, worker 3\)/g);
      expect(server.output().stderr).toContain('Worker 1 failed: Error: a bug in worker 1');
      expect(server.output().stderr).toContain('Worker 1 died (exit code 1): starting a new one.');
      const replies = await Promise.all(Array.from({ length: 20 }, () => server.request('/api/posts/')));
      expect(replies.map((reply) => reply.status)).toEqual(Array(20).fill(200));
    } finally {
      expect(await server.stop()).toBe(0);
    }
    expect(server.output().stdout).toMatch(/SIGTERM received: stopping 2 workers\./);
  });

  it('cuts off a connection still open at GRACEFUL_TIMEOUT and exits 1', processTimeout, async () => {
    const server = await startServer({ ...env, GRACEFUL_TIMEOUT: '1', HEADERS_TIMEOUT: '60', REQUEST_TIMEOUT: '60' });
    // A request whose body never finishes keeps the drain from ending by itself.
    const socket = connect(Number(new URL(server.baseUrl).port), '127.0.0.1');
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.on('error', () => {});
    socket.write('POST /api/token/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
    await new Promise((resolve) => socket.once('ready', resolve));
    expect(await server.stop()).toBe(1);
    await closed;
    expect(server.output().stderr).toContain('Closed 1 connections still open after 1 s.');
  });
});
