// DRF's APIView pipeline, in its order: negotiate the renderer → authenticate → check
// permissions → check throttles → dispatch to the method's handler (405 only after the
// checks, as DRF), then render with the negotiated renderer. Exceptions become DRF bodies;
// 401 turns into 403 when the view's first authenticator has no WWW-Authenticate header.
import type { Request, RequestHandler, Response } from 'express';
import { APIException, MethodNotAllowed, NotAuthenticated, PermissionDenied } from '../errors.js';
import { contentNegotiation, requestedFormat } from '../renderers/negotiation.js';
import { isAsyncBody, parseBody, parseBodyAsync, parsedMediaTypes } from '../parsers/index.js';
import { jsonRenderer } from '../renderers/index.js';
import { checkThrottles } from '../throttling/index.js';
import { QueryParams } from '../http/urls.js';
import type { Authenticator, AuthUser, HttpMethod, MediaType, Policies, Renderer, RequestContext, ViewHandler, ViewSpec } from '../types.js';
export type { RequestContext, HttpMethod, Reply, Handler, Policies, ViewForm, ViewSpec, ViewHandler } from '../types.js';

const methodOrder: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The RequestContext of one Express request: the body parsed on first read, the query once. */
export class ExpressRequestContext implements RequestContext {
  user: AuthUser | null = null;
  /** The credential that authenticated the request (token record, session, JWT payload). */
  auth: unknown = null;
  authenticator: Authenticator | null = null;
  /** The view's DRF `throttle_scope` for this request's method, if it declares one. */
  throttleScope: string | undefined;
  /** The renderer negotiated for the response (DRF's accepted_renderer). */
  renderer: Renderer = jsonRenderer;
  private parsed: { value: unknown } | { error: APIException } | undefined;
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
    if (!this.parsed) {
      try {
        this.parsed = { value: parseBody(this.req, this.policies.parsers) };
      } catch (error) {
        if (!(error instanceof APIException)) throw error;
        this.parsed = { error };
      }
    }
    if ('error' in this.parsed) throw this.parsed.error;
    return this.parsed.value;
  }

  /** Parses a body that takes asynchronous parsing (multipart) ahead of data(); its error waits for data(). */
  async loadData(): Promise<void> {
    if (this.parsed || !isAsyncBody(this.req, this.policies.parsers)) return;
    try {
      this.parsed = { value: await parseBodyAsync(this.req, this.policies.parsers) };
    } catch (error) {
      if (!(error instanceof APIException)) throw error;
      this.parsed = { error };
    }
  }

  /** This request as if made with another method (DRF's clone_request), to ask the permissions about it. */
  withMethod(method: HttpMethod): RequestContext {
    const req = Object.create(this.req, { method: { value: method } }) as Request;
    const clone = new ExpressRequestContext(req, this.res, this.policies);
    Object.assign(clone, { user: this.user, auth: this.auth, authenticator: this.authenticator, parsed: this.parsed });
    return clone;
  }

  /** The authenticated user; call only behind IsAuthenticated. */
  get requireUser(): AuthUser {
    if (!this.user) throw new NotAuthenticated();
    return this.user;
  }
}

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

/**
 * Whether the caller may make this request with `method` (DRF's show_form_for_method and
 * determine_actions): the permissions are asked on a clone of the request, and on the object too
 * when `object` (get_object) is given.
 */
export async function mayPerform(ctx: RequestContext, method: HttpMethod, object?: (ctx: RequestContext) => Promise<unknown>): Promise<boolean> {
  const clone = ctx.withMethod(method);
  try {
    await checkPermissions(clone);
    await object?.(clone);
    return true;
  } catch (error) {
    if (error instanceof APIException) return false;
    throw error;
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

/**
 * Sends an answer with the negotiated renderer. Content-Type is set as it is (Express would add a
 * charset, DRF sends none). A document renderer sends the view's text; anything else it cannot
 * render (an error) goes out as JSON. Only the browsable API renders asynchronously.
 */
function send(ctx: RequestContext, view: ViewSpec, status: number, body: unknown, headers: Record<string, string>, accepted: MediaType | null): void | Promise<void> {
  const { res } = ctx;
  let renderer = ctx.renderer;
  if (!renderer.render && typeof body !== 'string') renderer = jsonRenderer;
  // The browsable API shows a body-less answer as a page (200, as DRF); other renderers send no body.
  const page = renderer.format === 'api';
  if ((body === undefined || status === 204) && !page) return void res.status(status).set(headers).end();
  const finish = (text: string) => {
    res.status(status === 204 ? 200 : status).set(headers);
    res.setHeader('Content-Type', renderer.contentType);
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
  };
  const text = renderer.render ? renderer.render(body, { ctx, view, status, headers, accepted }) : (body as string);
  return typeof text === 'string' ? finish(text) : text.then(finish);
}

/** A view's policies: each one it declares, else the project's default. */
export function effectivePolicies(spec: Partial<Policies>, defaults: Policies): Policies {
  return {
    authenticators: spec.authenticators ?? defaults.authenticators,
    permissions: spec.permissions ?? defaults.permissions,
    throttles: spec.throttles ?? defaults.throttles,
    renderers: spec.renderers ?? defaults.renderers ?? [jsonRenderer],
    parsers: spec.parsers ?? defaults.parsers ?? parsedMediaTypes,
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
  const renderers = policies.renderers ?? [jsonRenderer];
  const negotiate = contentNegotiation(renderers);
  const variesOnAccept = renderers.length > 1;
  const metadata = {
    name: spec.name,
    description: spec.description ?? '',
    renders: renderers.map((renderer) => renderer.mediaType),
    parses: policies.parsers ?? parsedMediaTypes,
  };
  const { form } = spec;
  const actions = form && { [form.method]: Object.fromEntries(form.fields) };
  /** SimpleMetadata, with `actions` when the caller may make the write. */
  const metadataFor = async (ctx: RequestContext) =>
    form && (await mayPerform(ctx, form.method, form.object)) ? { ...metadata, actions } : metadata;

  const { throttleScope } = spec;
  const scopeOf = (method: string) => (typeof throttleScope === 'object' ? throttleScope[method as HttpMethod] : throttleScope);

  const handle: RequestHandler = async (req, res, next) => {
    const ctx = new ExpressRequestContext(req, res, policies);
    ctx.throttleScope = scopeOf(ctx.method);
    let accepted: MediaType | null = null;
    // The answer depends on Accept where the view has renderers to choose from (DRF's
    // default_response_headers); an authenticator may add the headers it reads (a session:
    // Cookie). Vary is added to (CORS has set Origin), not replaced.
    if (variesOnAccept) res.vary('Accept');
    try {
      ({ renderer: ctx.renderer, accepted } = negotiate(req, requestedFormat(req)));
      await authenticate(ctx, policies.authenticators);
      await checkPermissions(ctx);
      await checkThrottles(ctx, policies.throttles);
      if (ctx.method === 'OPTIONS') return await send(ctx, spec, 200, await metadataFor(ctx), baseHeaders, accepted);
      const handler = spec.handlers[ctx.method as HttpMethod];
      if (!handler) throw new MethodNotAllowed(req.method, allow);
      await ctx.loadData();
      const reply = await handler(ctx);
      const headers = reply.headers ? { ...baseHeaders, ...reply.headers } : baseHeaders;
      await send(ctx, spec, reply.status ?? 200, reply.body, headers, accepted);
    } catch (error) {
      if (!(error instanceof APIException)) return next(error);
      let status = error.status;
      const headers: Record<string, string> = { ...baseHeaders, ...error.headers };
      if (status === 401) {
        if (wwwAuthenticate) headers['WWW-Authenticate'] = wwwAuthenticate;
        else status = 403;
      }
      await send(ctx, spec, status, error.body, headers, accepted);
    }
  };
  return Object.assign(handle, { methods });
}
