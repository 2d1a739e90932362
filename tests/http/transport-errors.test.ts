// What Node's HTTP layer refuses before the app sees a request (oversized request line or
// headers, bad syntax, a client too slow to send its headers or body) answers DRF-shaped
// JSON and closes the connection, instead of Node's bare status with an empty body.
// Raw sockets, since HTTP clients refuse to send most of these.
import { connect } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createHttpServer, type HttpServer } from '../../src/http-server.js';
import { useTestApp } from '../support/app.js';
import { describeWithDatabase } from '../support/suite.js';
import { countRows } from '../support/databases.js';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Writes `chunks` in order and collects everything the server sends until it closes the connection. */
function exchange(port: number, ...chunks: (string | Buffer)[]): Promise<RawResponse[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
    const received: Buffer[] = [];
    socket.on('data', (data) => received.push(data));
    socket.on('error', reject);
    socket.on('close', () => resolve(parseResponses(Buffer.concat(received).toString('utf8'))));
  });
}

/** The responses in a stream of them (each with a Content-Length). */
function parseResponses(text: string): RawResponse[] {
  const responses: RawResponse[] = [];
  for (let rest = text; rest.length > 0; ) {
    const headEnd = rest.indexOf('\r\n\r\n');
    if (headEnd < 0) throw new Error(`not an HTTP response: ${JSON.stringify(rest.slice(0, 200))}`);
    const [statusLine, ...lines] = rest.slice(0, headEnd).split('\r\n');
    const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    const body = rest.slice(headEnd + 4, headEnd + 4 + length);
    responses.push({ status: Number(statusLine!.split(' ')[1]), headers, body });
    rest = rest.slice(headEnd + 4 + length);
  }
  return responses;
}

describeWithDatabase('malformed and slow requests', () => {
  const t = useTestApp();
  // The app behind a server with short timeouts: 1 s for the headers, 2 s for the whole request.
  let slow: HttpServer;
  let port: number;
  beforeAll(async () => {
    slow = createHttpServer(t.app, { headers: 1, request: 2, keepAlive: 5 });
    ({ port } = await slow.listen(0, '127.0.0.1'));
  });
  afterAll(() => new Promise((resolve) => slow.server.close(resolve)));

  /** The one response to a refused request: JSON, `{"detail": …}`, and the connection closed. */
  function expectJsonError([response, ...more]: RawResponse[], status: number, detail: string) {
    expect(more).toEqual([]);
    expect(response!.status).toBe(status);
    expect(response!.headers['content-type']).toBe('application/json');
    expect(response!.headers.connection).toBe('close');
    expect(JSON.parse(response!.body)).toEqual({ detail });
  }

  const tooLarge = 'Request line and headers are too large (at most 16384 bytes together).';

  it('answers a URL over 16 KB with a JSON 431', async () => {
    expectJsonError(await exchange(port, `GET /api/posts/?search=${'a'.repeat(17_000)} HTTP/1.1\r\nHost: localhost\r\n\r\n`), 431, tooLarge);
  });

  it('answers headers over 16 KB with a JSON 431', async () => {
    const headers = Array.from({ length: 40 }, (_, i) => `X-Padding-${i}: ${'b'.repeat(500)}\r\n`).join('');
    expectJsonError(await exchange(port, `GET /api/ HTTP/1.1\r\nHost: localhost\r\n${headers}\r\n`), 431, tooLarge);
  });

  it('answers bad request syntax with a JSON 400', async () => {
    expectJsonError(await exchange(port, 'HELLO THERE\r\n\r\n'), 400, 'Malformed request.');
    expectJsonError(await exchange(port, 'GET /api/ HTTP/1.1\r\nHost: localhost\r\nBad Header\r\n\r\n'), 400, 'Malformed request.');
    const chunked = 'POST /api/token/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n';
    expectJsonError(await exchange(port, chunked), 400, 'Malformed request.');
  });

  it('answers headers not finished within the headers timeout with a JSON 408', async () => {
    expectJsonError(await exchange(port, 'GET /api/ HTTP/1.1\r\nHost: localhost\r\n'), 408, 'The request was not received in time.');
  });

  it('answers a body not finished within the request timeout with a JSON 408, and writes nothing', async () => {
    const { Authorization } = await t.bearer(await t.createUser());
    const before = await countRows(t.db, 'posts_post');
    const head = `POST /api/posts/ HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${Authorization}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
    // A body declared larger than MAX_BODY_BYTES but never sent ends the same way.
    const huge = 'POST /api/token/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{';
    const [slowBody, hugeBody] = await Promise.all([exchange(port, head, '{"title": "slow'), exchange(port, huge)]);
    expectJsonError(slowBody, 408, 'The request was not received in time.');
    expectJsonError(hugeBody, 408, 'The request was not received in time.');
    expect(await countRows(t.db, 'posts_post')).toBe(before);
  });

  it('keeps serving requests that arrive in time, several on one connection', async () => {
    const request = 'GET /api/ HTTP/1.1\r\nHost: localhost\r\n\r\n';
    const responses = await exchange(port, request, request, 'GET /api/ HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(JSON.parse(responses[0]!.body)).toHaveProperty('posts');
  });
});
