// One log line per request (pino-http): method, path, status, duration, user and request
// id; a server error adds the error with its stack. Nothing else of the request is read:
// no header, cookie, body or query string (which may carry tokens or passwords) ever
// reaches the log. X-Request-ID is honoured when sane, otherwise made, and echoed.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';

/** A request id from the client or its proxy is kept if it cannot forge a log line or header. */
const saneRequestId = /^[\w.:@+/=-]{1,200}$/;

/** The path without its query string. */
const pathOf = (req: IncomingMessage) => ((req as Request).originalUrl ?? req.url ?? '').split('?', 1)[0];

/** What every request's line says. The user is the one the view authenticated (views.ts records it). */
function requestFields(req: IncomingMessage, res: ServerResponse, duration: number) {
  return {
    method: req.method,
    path: pathOf(req),
    status: res.statusCode,
    duration,
    userId: (res as Response).locals?.userId ?? null,
  };
}

export function requestLogger(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId(req, res) {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && saneRequestId.test(given) ? given : randomUUID();
      res.setHeader('X-Request-ID', id);
      return id;
    },
    // The request's logger (req.log) is bound to its id only; the line itself is built below.
    quietReqLogger: true,
    quietResLogger: true,
    serializers: { req: () => undefined },
    wrapSerializers: false,
    // A server fault (res.err, set by attachError) is an error; other 5xx (503: not ready, throttle store down) a warning.
    customLogLevel: (_req, res, error) => (error || res.err ? 'error' : res.statusCode >= 500 ? 'warn' : 'info'),
    customSuccessObject: (req, res, { responseTime }: { responseTime: number }) => requestFields(req, res, responseTime),
    customSuccessMessage: (req, res) => `${req.method} ${pathOf(req)} ${res.statusCode}`,
    // pino-http words any 5xx as an error of its own making: only a real fault's is logged.
    customErrorObject: (req, res, _error, { responseTime }: { responseTime: number }) =>
      res.err ? { ...requestFields(req, res, responseTime), err: res.err } : requestFields(req, res, responseTime),
    customErrorMessage: (req, res) =>
      res.err ? `${req.method} ${pathOf(req)} failed: ${res.err.message}` : `${req.method} ${pathOf(req)} ${res.statusCode}`,
  });
}

/** For errorHandler: the failure goes into the request's one line (with its id), as pino-http reports `res.err`. */
export function attachError(error: unknown, _req: Request, res: Response): void {
  res.err = error instanceof Error ? error : new Error(String(error));
}
