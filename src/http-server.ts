// The HTTP server around the app: bounded waits for slow clients, JSON for the errors
// Node answers before the app sees a request, and a drain on shutdown that loses no
// request (stop accepting, finish what is in flight, close each connection only after
// its last response or when its keep-alive timeout ends, never under a request).
import { createServer, IncomingMessage, ServerResponse, type RequestListener, type Server } from 'node:http';
import { Server as NetServer, type AddressInfo, type Socket } from 'node:net';

export interface ServerTimeouts {
  /** Seconds a client has to send a request's headers. */
  headers: number;
  /** Seconds a client has to send a whole request, body included. */
  request: number;
  /** Seconds an idle keep-alive connection stays open (advertised in `Keep-Alive: timeout=`). */
  keepAlive: number;
}

export interface HttpServer {
  server: Server;
  /** Listens on `port` (0: any free one) of `host` (default: every interface); rejects with the listen error (EADDRINUSE…). */
  listen(port: number, host?: string): Promise<AddressInfo>;
  /**
   * Stops accepting connections and waits until every open one has closed after its
   * last response. After `graceSeconds` the remaining ones are cut off. Resolves with the
   * number cut off (0: a clean drain).
   */
  drain(graceSeconds: number): Promise<number>;
}

/** Node's limit on a request line and headers together (`--max-http-header-size`). */
const maxHeaderBytes = 16 * 1024;

/** The JSON answer to each error Node's parser or its timers raise, as DRF would word it. */
function clientErrorResponse(code: string | undefined): { status: number; reason: string; detail: string } {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        reason: 'Request Header Fields Too Large',
        detail: `Request line and headers are too large (at most ${maxHeaderBytes} bytes together).`,
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, reason: 'Payload Too Large', detail: 'Request body is too large.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', detail: 'The request was not received in time.' };
    default:
      return { status: 400, reason: 'Bad Request', detail: 'Malformed request.' };
  }
}

/**
 * Answers a request Node refused before the app saw it (bad syntax, oversized headers,
 * too slow) with DRF-shaped JSON instead of Node's empty body, then closes the connection.
 * The socket lingers a moment so a client still sending reads the answer rather than a reset.
 */
function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  const inFlight = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (!socket.writable || socket.writableEnded || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const { status, reason, detail } = clientErrorResponse(error.code);
  const body = JSON.stringify({ detail });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}

/** An app whose requests and responses take its own prototypes (Express's app.request and app.response). */
type App = RequestListener & { request?: object; response?: object };

/**
 * A subclass whose instances are born with `prototype` (which must inherit from Base's). Express
 * gives each request and response its app's prototype on arrival (Object.setPrototypeOf), and V8
 * makes an object whose prototype changed slow for the rest of its life: ~130 µs more CPU per
 * request and a long latency tail, measured on Node 20. Born with it, that call changes nothing.
 */
function bornWith<Base extends typeof IncomingMessage | typeof ServerResponse>(base: Base, prototype: object | undefined): Base {
  // Node's two are plain constructor functions, so a function can run one on its own `this`
  // (Reflect.construct with another new.target would build slow objects); a class could not be.
  if (prototype === undefined || Function.prototype.toString.call(base).startsWith('class')) return base;
  const Born = function (this: object, ...args: unknown[]) {
    Reflect.apply(base, this, args);
  };
  Born.prototype = prototype;
  return Born as unknown as Base;
}

export function createHttpServer(app: App, timeouts: ServerTimeouts): HttpServer {
  let draining = false;
  // Responses not yet started: those in flight when the drain begins must close their connection too.
  const pending = new Set<ServerResponse>();
  const server = createServer(
    {
      headersTimeout: timeouts.headers * 1000,
      requestTimeout: timeouts.request * 1000,
      keepAliveTimeout: timeouts.keepAlive * 1000,
      maxHeaderSize: maxHeaderBytes,
      // How often the two timeouts above are checked (Node's default, 30 s, would let them overrun that much).
      connectionsCheckingInterval: 1000,
      IncomingMessage: bornWith(IncomingMessage, app.request),
      ServerResponse: bornWith(ServerResponse, app.response),
    },
    (req: IncomingMessage, res: ServerResponse) => {
      if (draining) res.setHeader('Connection', 'close');
      else {
        pending.add(res);
        // 'close' comes after 'finish', or alone when the client leaves first.
        res.once('close', () => pending.delete(res));
      }
      app(req, res);
    },
  );
  server.on('clientError', answerClientError);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  return {
    server,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    drain(graceSeconds) {
      draining = true;
      for (const res of pending) if (!res.headersSent) res.setHeader('Connection', 'close');
      pending.clear();
      return new Promise((resolve) => {
        const deadline = setTimeout(() => {
          const cut = sockets.size;
          for (const socket of sockets) socket.destroy();
          resolve(cut);
        }, graceSeconds * 1000);
        // net.Server's close, not http.Server's: that one also drops idle keep-alive
        // connections at once, losing any request already on its way over them.
        NetServer.prototype.close.call(server, () => {
          clearTimeout(deadline);
          resolve(0);
        });
      });
    },
  };
}
