// A PostgreSQL outage, as a server process sees it: the server reaches PostgreSQL through
// a TCP proxy of the test, which cuts every connection and refuses new ones (the database
// stopped), then lets them through again (started). Meanwhile requests get 503 with
// Retry-After, never a 500 or a stack trace, and the log says so once, and once when it ends.
// (The machine's PostgreSQL is shared with other tests: it is never stopped.)
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { blankDatabaseUrl } from '../support/databases.js';
import { eventually, startServer, type RunningServer } from '../support/instances.js';
import { describeWithDatabase } from '../support/suite.js';

/** Forwards connections on a port of its own to `target`, until cut. */
class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {}

  /** Listens (again, on the same port after a cut). */
  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          this.sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Refuses new connections and resets the open ones: the database is gone. */
  async cut(): Promise<void> {
    const server = this.server!;
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of this.sockets) socket.resetAndDestroy();
    await closed;
  }
}

describeWithDatabase('a PostgreSQL outage', () => {
  let database: Awaited<ReturnType<typeof blankDatabaseUrl>>;
  let proxy: TcpProxy;
  let server: RunningServer;

  beforeAll(async () => {
    database = await blankDatabaseUrl('postgresql');
    await migrate(database.url);
    const direct = new URL(database.url);
    proxy = new TcpProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    await proxy.open();
    const proxied = new URL(database.url);
    proxied.port = String(proxy.port);
    server = await startServer({
      NODE_ENV: 'test',
      SECRET_KEY: 'outage-test-secret-key-0123456789abcdef',
      THROTTLE_ANON_RATE: 'none',
      THROTTLE_USER_RATE: 'none',
      LOG_FORMAT: 'json',
      MIGRATE_ON_START: 'false',
      DATABASE_URL: proxied.toString(),
    });
  });
  afterAll(async () => {
    await server?.stop();
    await proxy?.cut().catch(() => undefined);
    await database?.drop();
  });

  it('answers 503 with Retry-After while PostgreSQL is gone, 200 once it is back, and logs two lines', { timeout: 60_000 }, async () => {
    expect((await server.request('/api/posts/')).status).toBe(200);

    await proxy.cut();
    for (const path of ['/api/posts/', '/api/posts/', '/api/posts/1/', '/api/posts/']) {
      const reply = await server.request(path);
      expect(reply.status, path).toBe(503);
      expect(reply.body).toEqual({ detail: 'Database unavailable, try again later.' });
      expect(reply.headers.get('retry-after')).toBe('5');
    }
    expect((await server.request('/readyz')).status).toBe(503);

    await proxy.open();
    await eventually('the server answers again', async () => (await server.request('/api/posts/')).status === 200);
    expect((await server.request('/readyz')).status).toBe(200);

    const lines = server
      .output()
      .stdout.split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { level: string; msg: string; status?: number; err?: unknown });
    expect(lines.filter((line) => line.msg.startsWith('Database')).map((line) => [line.level, line.msg])).toEqual([
      ['warn', expect.stringMatching(/^Database unreachable \(.+\): requests that need it are answered 503 until it is back\.$/)],
      ['warn', 'Database reachable again.'],
    ]);
    // Each refused request has its one request line (a warning), none an error or a stack.
    expect(lines.filter((line) => line.status === 503).every((line) => line.level === 'warn')).toBe(true);
    expect(lines.filter((line) => line.level === 'error' || line.err !== undefined)).toEqual([]);
    expect(server.output().stderr).toBe('');
  });
});
