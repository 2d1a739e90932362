// DRF's APIView pipeline, in its order: authenticate → check permissions → check
// throttles → dispatch to the method's handler (405 only after the checks, as DRF),
// then render JSON. Exceptions become DRF bodies; 401 turns into 403 when the view's
// first authenticator has no WWW-Authenticate header.
import type { Request, RequestHandler, Response } from 'express';
import type { Authenticator, AuthUser } from './authentication/index.js';
import { APIException, MethodNotAllowed, NotAuthenticated, PermissionDenied } from './errors.js';
import { parseBody, parsedMediaTypes } from './parsers/index.js';
import type { Permission } from './permissions.js';
import type { OperationDocs } from './openapi.js';
import { checkThrottles, type Throttle } from './throttling.js';
import { QueryParams } from './urls.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const methodOrder: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a view answers; rendered as JSON (no body for 204). */
export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sends `body` (a string) as it is, with this media type, instead of rendering JSON. */
  contentType?: string;
}

/** Everything a handler, permission or throttle needs to know about one request. */
export class RequestContext {
  user: AuthUser | null = null;
  /** The credential that authenticated the request (token record, session, JWT payload). */
  auth: unknown = null;
  authenticator: Authenticator | null = null;
  /** The view's DRF `throttle_scope` for this request's method, if it declares one. */
  throttleScope: string | undefined;
  private parsed: { value: unknown } | undefined;
  private queryParams: QueryParams | undefined;

  constructor(
    readonly req: Request,
    readonly res: Response,
    /** The view's effective policies (object permissions are checked against them later). */
    readonly policies: Policies,
  ) {}

  /** HEAD is answered as GET. */
  get method(): string {
    return this.req.method === 'HEAD' ? 'GET' : this.req.method;
  }

  get query(): QueryParams {
    return (this.queryParams ??= QueryParams.of(this.req));
  }

  /** The parsed request body (DRF's request.data); a bad body raises 400/415 here, on first read. */
  data(): unknown {
    this.parsed ??= { value: parseBody(this.req) };
    return this.parsed.value;
  }

  /** The authenticated user; call only behind IsAuthenticated. */
  get requireUser(): AuthUser {
    if (!this.user) throw new NotAuthenticated();
    return this.user;
  }
}

export type Handler = (ctx: RequestContext) => Promise<Reply> | Reply;

/** The policies DRF chooses per view, with project-wide defaults. */
export interface Policies {
  authenticators: readonly Authenticator[];
  permissions: readonly Permission[];
  throttles: readonly Throttle[];
}

export interface ViewSpec extends Partial<Policies> {
  /** Shown by OPTIONS, as DRF's view name ("Post List"). */
  name: string;
  description?: string;
  /**
   * DRF's `throttle_scope`: ScopedRateThrottle counts this view's requests against the
   * rate of that name, shared with every view of the same scope (e.g. `'login'`). A map
   * scopes only some methods (`{ POST: 'register' }`: registering, not listing).
   */
  throttleScope?: string | Partial<Record<HttpMethod, string>>;
  handlers: Partial<Record<HttpMethod, Handler>>;
  /** What each method accepts and answers, for the OpenAPI document: required for every handler. */
  docs?: Partial<Record<HttpMethod, OperationDocs>>;
}

/** The Express handler of a view, knowing the methods it answers (the route table check reads them). */
export type ViewHandler = RequestHandler & { readonly methods: readonly HttpMethod[] };

/** DRF's check_permissions / check_object_permissions: anonymous callers get 401, others 403. */
export async function checkPermissions(ctx: RequestContext, object?: unknown): Promise<void> {
  for (const permission of ctx.policies.permissions) {
    const allowed =
      object === undefined ? await permission.hasPermission(ctx) : await permission.hasObjectPermission(ctx, object);
    if (!allowed) {
      if (ctx.user === null) throw new NotAuthenticated();
      throw new PermissionDenied(permission.message);
    }
  }
}

async function authenticate(ctx: RequestContext, authenticators: readonly Authenticator[]): Promise<void> {
  for (const authenticator of authenticators) {
    const result = await authenticator.authenticate(ctx);
    if (result) {
      ctx.user = result.user;
      ctx.auth = result.auth;
      ctx.authenticator = authenticator;
      ctx.res.locals.userId = result.user.id; // for the request's log line
      return;
    }
  }
}

function send(res: Response, status: number, body: unknown, headers: Record<string, string>, contentType?: string): void {
  // Vary is added to (CORS has set `Vary: Origin`), not replaced.
  res.status(status).set(headers).vary('Accept');
  if (body === undefined || status === 204) res.end();
  else if (contentType) res.type(contentType).send(body);
  else res.json(body);
}

/** A view's policies: each one it declares, else the project's default. */
export function effectivePolicies(spec: Partial<Policies>, defaults: Policies): Policies {
  return {
    authenticators: spec.authenticators ?? defaults.authenticators,
    permissions: spec.permissions ?? defaults.permissions,
    throttles: spec.throttles ?? defaults.throttles,
  };
}

/** The methods a view has handlers for, in a fixed order (its Allow header's, its document's). */
export function methodsOf(spec: ViewSpec): HttpMethod[] {
  return methodOrder.filter((m) => spec.handlers[m]);
}

/** Builds the Express handler for a view; policies and headers are resolved once, here. */
export function toRequestHandler(spec: ViewSpec, defaults: Policies): ViewHandler {
  const policies = effectivePolicies(spec, defaults);
  for (const throttle of policies.throttles) throttle.checkView?.(spec);
  const methods = methodsOf(spec);
  const allow = [...methods, ...(spec.handlers.GET ? ['HEAD'] : []), 'OPTIONS'].join(', ');
  const baseHeaders = { Allow: allow };
  const wwwAuthenticate = policies.authenticators[0]?.authenticateHeader;
  const metadata = {
    name: spec.name,
    description: spec.description ?? '',
    renders: ['application/json'],
    parses: parsedMediaTypes,
  };

  const { throttleScope } = spec;
  const scopeOf = (method: string) => (typeof throttleScope === 'object' ? throttleScope[method as HttpMethod] : throttleScope);

  const handle: RequestHandler = async (req, res, next) => {
    const ctx = new RequestContext(req, res, policies);
    ctx.throttleScope = scopeOf(ctx.method);
    try {
      await authenticate(ctx, policies.authenticators);
      await checkPermissions(ctx);
      await checkThrottles(ctx, policies.throttles);
      if (ctx.method === 'OPTIONS') return send(res, 200, metadata, baseHeaders);
      const handler = spec.handlers[ctx.method as HttpMethod];
      if (!handler) throw new MethodNotAllowed(req.method, allow);
      const reply = await handler(ctx);
      const headers = reply.headers ? { ...baseHeaders, ...reply.headers } : baseHeaders;
      send(res, reply.status ?? 200, reply.body, headers, reply.contentType);
    } catch (error) {
      if (!(error instanceof APIException)) return next(error);
      let status = error.status;
      const headers: Record<string, string> = { ...baseHeaders, ...error.headers };
      if (status === 401) {
        if (wwwAuthenticate) headers['WWW-Authenticate'] = wwwAuthenticate;
        else status = 403;
      }
      send(res, status, error.body, headers);
    }
  };
  return Object.assign(handle, { methods });
}
