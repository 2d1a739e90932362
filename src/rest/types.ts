// The toolkit's shared contract: the types that the pipeline, the policies (authentication,
// permissions, throttles, renderers) and the OpenAPI generator all speak. Types only, importing
// no implementation, so every implementation file imports downward from here (the lint forbids
// import cycles, type imports included).
import type { Request, RequestHandler, Response } from 'express';
import type { z } from 'zod';
import type { QueryParams } from './http/urls.js';

type JsonSchema = Record<string, unknown>;

/** Everything a handler, permission or throttle needs to know about one request (views/api-view.ts makes it). */
export interface RequestContext {
  readonly req: Request;
  readonly res: Response;
  /** The view's effective policies (object permissions are checked against them later). */
  readonly policies: Policies;
  user: AuthUser | null;
  /** The credential that authenticated the request (token record, session, JWT payload). */
  auth: unknown;
  authenticator: Authenticator | null;
  /** The view's DRF `throttle_scope` for this request's method, if it declares one. */
  throttleScope: string | undefined;
  /** The renderer negotiated for the response (DRF's accepted_renderer). */
  renderer: Renderer;
  /** HEAD is answered as GET. */
  readonly method: string;
  readonly query: QueryParams;
  /** The parsed request body (DRF's request.data); a bad body raises 400/415 here, on first read. */
  data(): unknown;
  /** Parses a body that takes asynchronous parsing (multipart) ahead of data(); its error waits for data(). */
  loadData(): Promise<void>;
  /** This request as if made with another method (DRF's clone_request), to ask the permissions about it. */
  withMethod(method: HttpMethod): RequestContext;
  /** The authenticated user; call only behind IsAuthenticated. */
  readonly requireUser: AuthUser;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';


/** What a view answers, rendered by the negotiated renderer (no body for 204); a document renderer's body is its text. */
export interface Reply {
  status?: number;
  body?: unknown;
  headers?: Record<string, string>;
}


export type Handler = (ctx: RequestContext) => Promise<Reply> | Reply;


/** The policies DRF chooses per view, with project-wide defaults. */
export interface Policies {
  authenticators: readonly Authenticator[];
  permissions: readonly Permission[];
  throttles: readonly Throttle[];
  /** DRF's renderer_classes: the first one answers clients that accept anything (default: JSON only). */
  renderers?: readonly Renderer[];
  /**
   * DRF's parser_classes, by media type: a body of another type is refused (415). OPTIONS and the
   * OpenAPI document list them in this order (default: JSON, form, multipart, as DRF's defaults).
   */
  parsers?: readonly ParsedMediaType[];
}

/** The request body media types the toolkit parses (DRF's JSONParser, FormParser and MultiPartParser). */
export type ParsedMediaType = 'application/json' | 'application/x-www-form-urlencoded' | 'multipart/form-data';


/** DRF's get_serializer for the view's write method (POST on a list, PUT on a detail): OPTIONS `actions` and the browsable API's forms. */
export interface ViewForm {
  method: 'POST' | 'PUT';
  fields: SerializerInfo;
  /** DRF's get_object (scoped lookup and object permissions), on a detail route. */
  object?: (ctx: RequestContext) => Promise<unknown>;
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
  form?: ViewForm;
}


/** The Express handler of a view, knowing the methods it answers (the route table check reads them). */
export type ViewHandler = RequestHandler & { readonly methods: readonly HttpMethod[] };


/** What the toolkit needs of a user; the accounts app's User satisfies it. */
export interface AuthUser {
  id: number;
  username: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  /** When the password last changed: JWTs issued before that second no longer authenticate. */
  credentialsChangedAt?: Date | null;
}


/** Django's authenticate(): the active user with these credentials, or null, in the same time either way. */
export interface CredentialsChecker {
  checkCredentials(username: string, password: string): Promise<AuthUser | null>;
}


export interface Authentication {
  user: AuthUser;
  auth: unknown;
}


export interface Authenticator {
  authenticate(ctx: RequestContext): Promise<Authentication | null>;
  /** WWW-Authenticate value for 401s; a scheme without one (session) makes DRF answer 403. */
  readonly authenticateHeader?: string;
  /** How the OpenAPI document (and Swagger UI's Authorize) presents its credentials; each authenticator declares its own. */
  readonly securityScheme?: SecuritySchemeDocs;
}


export interface Permission {
  hasPermission(ctx: RequestContext): boolean | Promise<boolean>;
  hasObjectPermission(ctx: RequestContext, object: unknown): boolean | Promise<boolean>;
  /** The 403 detail when it denies; DRF's default message otherwise. */
  message?: string;
}


/** "100/day": `limit` requests per window of `windowSeconds`. */
export interface Rate {
  limit: number;
  windowSeconds: number;
}


/** One throttle's count of a request: the quota it enforces and what is left of it. */
export interface ThrottleCount {
  /** The rate's scope name ("anon", "user", "login"), named in the RateLimit headers. */
  policy: string;
  rate: Rate;
  allowed: boolean;
  /** Requests left in the current window. */
  remaining: number;
  /** Seconds until the window ends: the wait when refused. */
  resetSeconds: number;
}


export interface Throttle {
  /**
   * Counts the request. Null when this throttle does not apply to it (no rate, no key)
   * or its store is unreachable and failing open.
   */
  check(ctx: RequestContext): Promise<ThrottleCount | null>;
  /** Refuses, when the app is built, a view this throttle could never count (DRF finds out per request). */
  checkView?(spec: ViewSpec): void;
}


/** What a renderer is given: the answer as the JSON renderer would send it. */
export interface RenderContext {
  ctx: RequestContext;
  view: ViewSpec;
  status: number;
  /** The response's headers as set by the view and the pipeline (Allow, Vary, WWW-Authenticate…). */
  headers: Record<string, string>;
  /** The Accept entry that chose the renderer, with its parameters. */
  accepted: MediaType | null;
}


export interface Renderer {
  /** What the Accept header is matched against. */
  readonly mediaType: string;
  /** The value of `?format=` that picks this renderer. */
  readonly format: string;
  /** The Content-Type header it sends. */
  readonly contentType: string;
  /**
   * Renders any answer (a data renderer: JSON, the browsable API). Absent for a document
   * renderer: the view answers the document's text itself, and errors are rendered as JSON.
   */
  render?(body: unknown, context: RenderContext): string | Promise<string>;
}


/** A media type of an Accept header, as DRF's _MediaType reads it. */
export interface MediaType {
  type: string;
  subtype: string;
  params: Record<string, string>;
}


/** A query or path parameter of an operation. */
export interface ParameterDocs {
  name: string;
  /** Default `query`. */
  in?: 'query' | 'path';
  description: string;
  schema: JsonSchema;
  /** The status a bad value answers (django-filter's 400, the page's 404); absent when bad values are ignored. */
  rejects?: 400 | 404;
  /** A value to show (and to try the operation with). */
  example?: unknown;
}


/** A response in another media type than JSON, or with several, or with headers. */
export interface ResponseDocs {
  description?: string;
  /** Body schema by media type; absent for no body. */
  content?: Record<string, z.ZodType>;
  /** Headers the response always carries, with what they mean (`Set-Cookie` of a login). */
  headers?: Record<string, string>;
}


/** What one method of a view accepts and answers. */
export interface OperationDocs {
  /** DRF's action, the end of the operationId (`api_posts_list`); by default retrieve, create, update, partial_update or destroy. */
  action?: string;
  summary?: string;
  /** Default: the view's description. */
  description?: string;
  parameters?: readonly ParameterDocs[];
  /** The request body, converted with `io: 'input'` (a serializer's input object). */
  request?: z.ZodType;
  /**
   * What the view itself answers, by status: a JSON body schema, null for no body, or
   * ResponseDocs. The pipeline's errors are added from the policies, parameters and body.
   */
  responses: Record<number, z.ZodType | null | ResponseDocs>;
}


/** A security scheme an authenticator documents itself with (components.securitySchemes). */
export interface SecuritySchemeDocs {
  name: string;
  scheme: JsonSchema;
}


/**
 * Where a route also answers with a format suffix (DRF's format_suffix_patterns, which a
 * DefaultRouter applies to its routes): in place of its trailing slash (`/api/posts.json`,
 * `/api/posts/5.json`), or, for a router's root, after it (`/api/.json`).
 */
export type FormatSuffix = 'replaces-slash' | 'after-slash';

/** One entry of the URL table: an Express path (`/api/posts/:id/`), its view, and where it takes a format suffix. */
export type Route = readonly [path: string, view: ViewSpec, formatSuffix?: FormatSuffix];


/** Django's urlpatterns: every API route with the project's default policies. */
export interface UrlPatterns {
  defaults: Policies;
  routes: readonly Route[];
  /** Handlers mounted under a path, outside the API and its document: static files (Swagger UI's), the browsable API's login pages. */
  assets?: readonly (readonly [path: string, handler: RequestHandler])[];
}


/** One field as SimpleMetadata describes it, keys in DRF's order. */
export interface FieldInfo {
  type: string;
  required: boolean;
  read_only: boolean;
  label: string;
  help_text?: string;
  max_length?: number;
}


/** The fields of a serializer, in declaration order: each one's name and DRF description. */
export type SerializerInfo = readonly (readonly [name: string, info: FieldInfo])[];
