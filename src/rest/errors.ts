// DRF's exception classes and their JSON bodies. A view throws one; the pipeline
// (views.ts) turns it into a response, and errorHandler catches what escapes views.
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import { DatabaseUnavailable } from './data/index.js';
import { jsonText } from './renderers/index.js';

/** `{"field": ["message", …]}` or `["message"]`, as DRF's ValidationError carries. */
export type ErrorDetail = string | string[] | { [key: string]: ErrorDetail };

export class APIException extends Error {
  readonly headers: Record<string, string> = {};

  constructor(
    public status: number,
    /** A string becomes `{"detail": …}`; an object or list is the body itself. */
    readonly detail: ErrorDetail | Record<string, unknown>,
  ) {
    super(typeof detail === 'string' ? detail : JSON.stringify(detail));
  }

  get body(): unknown {
    return typeof this.detail === 'string' ? { detail: this.detail } : this.detail;
  }
}

export class ValidationError extends APIException {
  constructor(detail: ErrorDetail) {
    super(400, detail);
  }
}

export class ParseError extends APIException {
  constructor(detail = 'Malformed request.') {
    super(400, detail);
  }
}

/** 401 with `WWW-Authenticate`, or 403 when the view's first authenticator has no header. */
export class AuthenticationFailed extends APIException {
  constructor(detail: string | Record<string, unknown> = 'Incorrect authentication credentials.') {
    super(401, detail);
  }
}

export class NotAuthenticated extends AuthenticationFailed {
  constructor(detail = 'Authentication credentials were not provided.') {
    super(detail);
  }
}

export class PermissionDenied extends APIException {
  constructor(detail = 'You do not have permission to perform this action.') {
    super(403, detail);
  }
}

export class NotFound extends APIException {
  constructor(detail = 'Not found.') {
    super(404, detail);
  }
}

export class MethodNotAllowed extends APIException {
  constructor(method: string, allow: string) {
    super(405, `Method "${method}" not allowed.`);
    this.headers.Allow = allow;
  }
}

export class UnsupportedMediaType extends APIException {
  constructor(mediaType: string) {
    super(415, `Unsupported media type "${mediaType}" in request.`);
  }
}

export class Throttled extends APIException {
  constructor(waitSeconds: number) {
    const wait = Math.max(0, Math.ceil(waitSeconds));
    super(429, `Request was throttled. Expected available in ${wait} second${wait === 1 ? '' : 's'}.`);
    this.headers['Retry-After'] = String(wait);
  }
}

/** Seconds a client is told to wait (`Retry-After`) when a service the server needs is down. */
export const retryAfterUnavailable = 5;

export class ServiceUnavailable extends APIException {
  constructor(detail = 'Service temporarily unavailable, try again later.') {
    super(503, detail);
    this.headers['Retry-After'] = String(retryAfterUnavailable);
  }
}

/**
 * A JSON answer made outside a view (no negotiation there), with the bytes and the Content-Type of
 * DRF's JSONRenderer: `application/json`, no charset parameter (Express's res.json adds one).
 */
export function sendJson(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.status(status).set(headers).setHeader('Content-Type', 'application/json');
  res.end(jsonText(body));
}

/** Unknown URLs answer DRF-shaped JSON instead of Django's HTML page. */
export const notFoundHandler: RequestHandler = (_req, res) => {
  sendJson(res, 404, { detail: 'Not found.' });
};

/**
 * Last line of defence: errors raised outside a view (body reading) or unexpected ones.
 * Never leaks a stack trace; each unexpected error is handed to `report` (the request log).
 */
export function errorHandler(report: (error: unknown, req: Request, res: Response) => void): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) return next(error);
    const known = error instanceof DatabaseUnavailable ? new ServiceUnavailable(error.detail) : error;
    if (known instanceof APIException) {
      sendJson(res, known.status, known.body, known.headers);
      return;
    }
    const bodyError = error as { type?: string; status?: number };
    if (bodyError.type === 'entity.too.large') {
      sendJson(res, 413, { detail: 'Request body is too large.' });
      return;
    }
    if (bodyError.type === 'request.aborted') {
      sendJson(res, 400, { detail: 'Request body was not received completely.' });
      return;
    }
    if (typeof bodyError.status === 'number' && bodyError.status >= 400 && bodyError.status < 500) {
      // body-parser's other client errors (bad Content-Encoding, charset): the client's fault, not ours.
      sendJson(res, bodyError.status, { detail: 'Malformed request.' });
      return;
    }
    report(error, req, res);
    sendJson(res, 500, { detail: 'A server error occurred.' });
  };
}
