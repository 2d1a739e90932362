// The HTTP server around the app: bounded waits for slow clients, JSON for the errors
// Node answers before the app sees a request, and a drain on shutdown that loses no
// request (stop accepting, finish what is in flight, close each connection only after
// its last response or when its keep-alive timeout ends, never under a request).
import { createServer, IncomingMessage, ServerResponse, type RequestListener, type Server } from 'node:http';
import { createRequire } from 'node:module';
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
   * Listens on `port` of every interface beside other threads or processes doing the same: each
   * has its own socket (SO_REUSEPORT) and the kernel spreads new connections among them.
   */
  listenShared(port: number): Promise<AddressInfo>;
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

/** The error of a failed socket call as Node words its own (the addon gives only the system's message). */
function socketError(error: unknown): NodeJS.ErrnoException {
  const message = error instanceof Error ? error.message : String(error);
  const code = { 'Address already in use': 'EADDRINUSE', 'Permission denied': 'EACCES' }[message];
  return Object.assign(new Error(message), { code });
}

/** The native part of the node-unix-socket package: its prebuilt binaries (its JS wrapper requires platforms it was never published for). */
interface ReusePortBinding {
  socketNewSoReuseportFd(domain: 'ipv4' | 'ipv6', port: number, host: string): number;
}

function reusePortBinding(): ReusePortBinding {
  const require = createRequire(import.meta.url);
  for (const name of ['node-unix-socket-linux-x64-gnu', 'node-unix-socket-linux-x64-musl']) {
    try {
      return require(name) as ReusePortBinding;
    } catch {
      // Not this C library: the other one.
    }
  }
  throw new Error('several workers need SO_REUSEPORT, bound here only on Linux x64; run WEB_CONCURRENCY=1 processes instead');
}

/**
 * A socket bound to `port` with SO_REUSEPORT (Node 20's net cannot set it; Node 22's
 * `reusePort` can): on `::` (IPv4 too, as Node's default), or on `0.0.0.0` where IPv6 is off.
 */
function reusePortSocket(port: number): number {
  const binding = reusePortBinding();
  try {
    return binding.socketNewSoReuseportFd('ipv6', port, '::');
  } catch (error) {
    const ipv6Error = socketError(error);
    if (ipv6Error.code !== undefined) throw ipv6Error;
  }
  try {
    return binding.socketNewSoReuseportFd('ipv4', port, '0.0.0.0');
  } catch (error) {
    throw socketError(error);
  }
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
  const listening = (listen: (ready: () => void) => void) =>
    new Promise<AddressInfo>((resolve, reject) => {
      server.once('error', reject);
      listen(() => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  return {
    server,
    listen(port, host) {
      return listening((ready) => server.listen(port, host, ready));
    },
    listenShared(port) {
      return listening((ready) => server.listen({ fd: reusePortSocket(port) }, ready));
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
