// One log line per request: method, path, status, duration, user and request id; a server
// error adds the error with its stack. Nothing else of the request is read: no header,
// cookie, body or query string (which may carry tokens or passwords) ever reaches the log.
// X-Request-ID is honoured when sane, otherwise made, and echoed. Written here rather than
// with pino-http, which builds two child loggers per request whether they are used or not.
import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Level, Logger } from 'pino';

declare module 'http' {
  interface IncomingMessage {
    /** The request's id (X-Request-ID): on its log line, and on any other line logged about it. */
    id: string;
  }
  interface ServerResponse {
    /** A server fault, set by attachError: its line is an error with the stack. */
    err?: Error;
  }
}

/** A request id from the client or its proxy is kept if it cannot forge a log line or header. */
const saneRequestId = /^[\w.:@+/=-]{1,200}$/;

/** The path without its query string. */
function pathOf(req: Request): string {
  const url = req.originalUrl;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** A server fault is an error; other 5xx (503: not ready, throttle store down) a warning. */
const levelOf = (res: Response): Level => (res.err ? 'error' : res.statusCode >= 500 ? 'warn' : 'info');

export function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && saneRequestId.test(given) ? given : randomUUID();
    res.setHeader('X-Request-ID', id);
    req.id = id;
    const start = Date.now();
    // 'close' follows 'finish', and also comes alone when the client leaves first: one line either way.
    res.once('close', () => {
      const level = levelOf(res);
      if (!logger.isLevelEnabled(level)) return;
      const path = pathOf(req);
      const line = `${req.method} ${path}`;
      const fields = { reqId: id, method: req.method, path, status: res.statusCode, duration: Date.now() - start, userId: res.locals.userId ?? null };
      if (res.err) logger.error({ ...fields, err: res.err }, `${line} failed: ${res.err.message}`);
      else logger[level](fields, `${line} ${res.statusCode}`);
    });
    next();
  };
}

/** For errorHandler: the failure goes into the request's one line (with its id and stack). */
export function attachError(error: unknown, _req: Request, res: Response): void {
  res.err = error instanceof Error ? error : new Error(String(error));
}
