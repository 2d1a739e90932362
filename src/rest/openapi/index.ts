// The OpenAPI 3.0 document of a URL table, derived as drf-spectacular derives it for DRF:
// - each route's ViewSpec `docs` give its operations: parameters, the request body and
//   the responses, as zod schemas converted by z.toJSONSchema (a schema named with
//   `.meta({ id })` becomes a reusable component);
// - each view's policies give the rest: the security requirements (authenticators carrying a
//   security scheme, anonymous access when the permissions allow it) and the errors the
//   pipeline answers (400, 401, 403, 404, 413, 415, 429).
// Nothing here knows an app: a view documented this way is documented wherever it is mounted.
import { STATUS_CODES } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { stringify } from 'yaml';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { parsedMediaTypes } from '../parsers/index.js';
import { AllowAny } from '../permissions/index.js';
import { checkPermissions, ExpressRequestContext, effectivePolicies, methodsOf } from '../views/api-view.js';
import type { Authenticator, HttpMethod, OperationDocs, ParameterDocs, Policies, ResponseDocs, UrlPatterns, ViewSpec } from '../types.js';
import { exampleOf } from './examples.js';
export type { ParameterDocs, ResponseDocs, OperationDocs, SecuritySchemeDocs } from '../types.js';

type JsonSchema = Record<string, unknown>;

export interface ApiInfo {
  title: string;
  version: string;
  description: string;
}

export interface OpenApiDocument {
  openapi: string;
  info: ApiInfo;
  servers: { url: string; description: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, Record<string, unknown>>;
}

// DRF's error bodies.
export const errorDetail = z.object({ detail: z.string() }).meta({ id: 'ErrorDetail' });
const fieldErrors = z
  .record(z.string(), z.array(z.string()))
  .meta({ id: 'FieldErrors', description: 'Messages by field; `non_field_errors` for the data as a whole.' });
const authenticationError = z
  .object({
    detail: z.string(),
    code: z.string().optional(),
    messages: z.array(z.record(z.string(), z.string())).optional(),
  })
  .meta({ id: 'AuthenticationError', description: 'DRF\'s `{"detail"}`; SimpleJWT adds a `code` and, for a bad access token, `messages`.' });

const fieldMetadata = z
  .object({
    type: z.string(),
    required: z.boolean(),
    read_only: z.boolean(),
    label: z.string(),
    max_length: z.int().optional(),
  })
  .meta({ id: 'FieldMetadata' });

/** What OPTIONS answers on every path (DRF's SimpleMetadata); not listed per path, as in drf-spectacular. */
const viewMetadata = z
  .object({
    name: z.string(),
    description: z.string(),
    renders: z.array(z.string()),
    parses: z.array(z.string()),
    actions: z
      .record(z.string(), z.record(z.string(), fieldMetadata))
      .optional()
      .meta({ description: 'The fields of the write the caller may make (POST on a list, PUT on an object), by method.' }),
  })
  .meta({ id: 'ViewMetadata' });

type StandardStatus = 400 | 401 | 403 | 404 | 405 | 406 | 413 | 415 | 429 | 500 | 503;

/** The pipeline's error responses (components.responses); 405, 406, 500 and 503 are listed there only, see pipelineErrors. */
const standardErrors: Record<StandardStatus, { name: string; description: string; schema: z.ZodType; headers?: Record<string, string> }> = {
  400: {
    name: 'ValidationError',
    description: 'Invalid data: messages by field, or `{"detail"}` for a body that cannot be parsed.',
    schema: z.union([errorDetail, fieldErrors]).meta({ id: 'ValidationErrorBody' }),
  },
  401: {
    name: 'Unauthorized',
    description: 'No credentials, or bad ones (even where anonymous access is allowed).',
    schema: authenticationError,
    headers: { 'WWW-Authenticate': 'The authentication scheme to use.' },
  },
  403: { name: 'Forbidden', description: 'Not allowed to perform this action.', schema: errorDetail },
  404: { name: 'NotFound', description: 'No such object (or not one the caller may see), or an invalid page.', schema: errorDetail },
  405: {
    name: 'MethodNotAllowed',
    description: 'A method the path does not answer.',
    schema: errorDetail,
    headers: { Allow: 'The methods the path answers.' },
  },
  406: {
    name: 'NotAcceptable',
    description: 'An Accept header no renderer of the view satisfies (JSON, or the browsable API for `text/html`).',
    schema: errorDetail,
  },
  413: { name: 'PayloadTooLarge', description: 'The request body is larger than the server accepts.', schema: errorDetail },
  415: { name: 'UnsupportedMediaType', description: 'A request body in a media type the view does not parse.', schema: errorDetail },
  429: {
    name: 'Throttled',
    description: 'Too many requests.',
    schema: errorDetail,
    headers: { 'Retry-After': 'Seconds to wait before the next request is allowed.' },
  },
  500: { name: 'ServerError', description: 'A fault of the server (never a stack trace).', schema: errorDetail },
  503: {
    name: 'ServiceUnavailable',
    description:
      'A service the server needs cannot answer now: the database (unreachable, busy or out of space, or a statement past ' +
      'DATABASE_STATEMENT_TIMEOUT), or the shared throttle store with THROTTLE_FAIL_OPEN=false.',
    schema: errorDetail,
    headers: { 'Retry-After': 'Seconds to wait before trying again.' },
  },
};

/**
 * Components collected while building operations: the schemas of converted zod schemas (a
 * name always means one schema) and the security schemes of the authenticators in use.
 */
class SchemaComponents {
  readonly schemas: Record<string, JsonSchema> = {};
  readonly securitySchemes: Record<string, JsonSchema> = {};

  /** The JSON schema of a zod schema; its parts named with `.meta({ id })` become components. */
  convert(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
    const json = z.toJSONSchema(schema, { target: 'openapi-3.0', io, override: dropSafeIntegerBounds }) as JsonSchema;
    const { definitions = {}, ...root } = json as { definitions?: Record<string, JsonSchema> };
    for (const [name, definition] of Object.entries(definitions)) this.add(name, toComponentRefs(definition) as JsonSchema);
    return toComponentRefs(root) as JsonSchema;
  }

  /** A JSON schema, following a $ref to its component. */
  resolve(schema: JsonSchema): JsonSchema {
    const ref = schema.$ref;
    return typeof ref === 'string' ? this.schemas[ref.slice(componentPrefix.length)]! : schema;
  }

  /** The security requirements of authenticators, one per scheme; their schemes are recorded. */
  security(authenticators: readonly Authenticator[]): Record<string, string[]>[] {
    return authenticators.flatMap(({ securityScheme }) => {
      if (!securityScheme) return [];
      this.securitySchemes[securityScheme.name] = securityScheme.scheme;
      return [{ [securityScheme.name]: [] }];
    });
  }

  private add(name: string, schema: JsonSchema): void {
    const existing = this.schemas[name];
    if (existing && !isDeepStrictEqual(existing, schema)) {
      throw new Error(`Two different schemas are named ${JSON.stringify(name)} (.meta({ id })): rename one`);
    }
    this.schemas[name] = schema;
  }
}

const componentPrefix = '#/components/schemas/';

/** zod bounds every z.int() by Number.MAX_SAFE_INTEGER; that is noise in a document. */
function dropSafeIntegerBounds({ jsonSchema }: { jsonSchema: JsonSchema }): void {
  if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
  if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
}

/** zod refers to its definitions as `#/definitions/X`; the document keeps them in components.schemas. */
function toComponentRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toComponentRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [
      key,
      key === '$ref' && typeof v === 'string' ? v.replace('#/definitions/', componentPrefix) : toComponentRefs(v),
    ]),
  );
}

const defaultActions: Record<HttpMethod, string> = {
  GET: 'retrieve',
  POST: 'create',
  PUT: 'update',
  PATCH: 'partial_update',
  DELETE: 'destroy',
};

/** `/api/posts/:id/` → `/api/posts/{id}/`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

/** drf-spectacular's tag, from a path's literal segments: the first one after `api` (`/api/posts/{id}/` → posts). */
function tagOf(segments: readonly string[]): string {
  return (segments[0] === 'api' && segments.length > 1 ? segments[1] : segments[0]) ?? 'api';
}

/**
 * Whether an anonymous request passes checkPermissions. Permissions are asked with a bare
 * context (no user, the method), as drf-spectacular inspects permission classes; one that
 * needs more of the request than that (and so throws) is taken to require credentials.
 */
function allowsAnonymous(policies: Policies, method: HttpMethod): Promise<boolean> {
  const ctx = new ExpressRequestContext({ method } as Request, {} as Response, policies);
  return checkPermissions(ctx).then(() => true, () => false);
}

/**
 * The errors the pipeline itself may answer for an operation. 405 is not among them: it
 * answers the methods a path does *not* document (OpenAPI has no place for those), so it
 * is listed in components.responses, as are 500 and 503 (faults of the server, not of the operation).
 */
function pipelineErrors(policies: Policies, docs: OperationDocs, hasPathParameters: boolean): StandardStatus[] {
  const [first] = policies.authenticators;
  const rejects = new Set((docs.parameters ?? []).map((p) => p.rejects));
  const statuses: StandardStatus[] = [];
  if (docs.request || rejects.has(400)) statuses.push(400);
  // DRF turns 401 into 403 when the first authenticator has no WWW-Authenticate header.
  if (first?.authenticateHeader) statuses.push(401);
  if (policies.permissions.some((p) => p !== AllowAny) || policies.authenticators.some((a) => !a.authenticateHeader)) {
    statuses.push(403);
  }
  if (hasPathParameters || rejects.has(404)) statuses.push(404);
  statuses.push(413); // the body is read (and limited) before routing, whatever the method
  if (docs.request) statuses.push(415);
  if (policies.throttles.length > 0) statuses.push(429);
  return statuses;
}

/** Response headers: each one required (the response always carries it). */
function headerDocs(headers: Record<string, string>) {
  return Object.fromEntries(
    Object.entries(headers).map(([header, description]) => [header, { description, required: true, schema: { type: 'string' } }]),
  );
}

function responseDocs(components: SchemaComponents, status: number, declared: z.ZodType | null | ResponseDocs) {
  const description = STATUS_CODES[status] ?? String(status);
  if (declared === null) return { description };
  if (declared instanceof z.ZodType) {
    return { description, content: { 'application/json': { schema: components.convert(declared, 'output') } } };
  }
  const content =
    declared.content &&
    Object.fromEntries(
      Object.entries(declared.content).map(([mediaType, schema]) => [mediaType, { schema: components.convert(schema, 'output') }]),
    );
  return {
    description: declared.description ?? description,
    ...(declared.headers ? { headers: headerDocs(declared.headers) } : {}),
    ...(content ? { content } : {}),
  };
}

function parameterDocs(parameter: ParameterDocs) {
  const location = parameter.in ?? 'query';
  return {
    name: parameter.name,
    in: location,
    ...(location === 'path' ? { required: true } : {}),
    description: parameter.description,
    schema: parameter.schema,
    ...(parameter.example === undefined ? {} : { example: parameter.example }),
  };
}

/** The OpenAPI operation of one method of a view. */
async function operation(
  components: SchemaComponents,
  path: string,
  view: ViewSpec,
  method: HttpMethod,
  defaults: Policies,
): Promise<Record<string, unknown>> {
  const docs = view.docs?.[method];
  if (!docs) throw new Error(`${method} ${path} (${view.name}) is not documented: declare docs.${method} on its ViewSpec`);
  const policies = effectivePolicies(view, defaults);
  const declaredParameters = docs.parameters ?? [];
  // A path parameter without docs is still a parameter: a string.
  const pathParameters = [...path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name!);
  const parameters = [
    ...pathParameters
      .filter((name) => !declaredParameters.some((p) => p.name === name && p.in === 'path'))
      .map((name): ParameterDocs => ({ name, in: 'path', description: '', schema: { type: 'string' } })),
    ...declaredParameters,
  ];

  const responses: Record<string, unknown> = {};
  for (const [status, declared] of Object.entries(docs.responses)) {
    responses[status] = responseDocs(components, Number(status), declared);
  }
  for (const status of pipelineErrors(policies, docs, pathParameters.length > 0)) {
    responses[status] ??= { $ref: `#/components/responses/${standardErrors[status].name}` };
  }

  const security = components.security(policies.authenticators);
  if (security.length > 0 && (await allowsAnonymous(policies, method))) security.push({});

  const segments = path.split('/').filter((s) => s !== '' && !s.startsWith('{'));
  const description = docs.description ?? view.description;
  return {
    operationId: [...segments, docs.action ?? defaultActions[method]].join('_').replace(/\W/g, '_'),
    summary: docs.summary ?? `${view.name} (${method})`,
    ...(description ? { description } : {}),
    tags: [tagOf(segments)],
    ...(parameters.length > 0 ? { parameters: parameters.map(parameterDocs) } : {}),
    ...(docs.request ? { requestBody: requestBodyDocs(components, docs.request) } : {}),
    // No scheme at all (the JWT views): explicitly open, rather than silent.
    security,
    responses,
  };
}

function requestBodyDocs(components: SchemaComponents, request: z.ZodType) {
  const schema = components.convert(request, 'input');
  const required = ((components.resolve(schema).required as unknown[] | undefined) ?? []).length > 0;
  const example = exampleOf(schema, (part) => components.resolve(part));
  const media = example === undefined ? { schema } : { schema, example };
  return { content: Object.fromEntries(parsedMediaTypes.map((mediaType) => [mediaType, media])), required };
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The OpenAPI document of a URL table: every route's documented methods, in table order. */
export async function openApiDocument(patterns: UrlPatterns, info: ApiInfo): Promise<OpenApiDocument> {
  const components = new SchemaComponents();
  const paths: Record<string, Record<string, unknown>> = {};
  const operationIds = new Set<string>();

  for (const [expressPath, view] of patterns.routes) {
    const path = openApiPath(expressPath);
    if (paths[path]) throw new Error(`${path} is routed twice`);
    const item: Record<string, unknown> = {};
    for (const method of methodsOf(view)) {
      const op = await operation(components, path, view, method, patterns.defaults);
      const id = op.operationId as string;
      if (operationIds.has(id)) throw new Error(`Two operations have the operationId ${id}: give one an action`);
      operationIds.add(id);
      item[method.toLowerCase()] = op;
    }
    paths[path] = item;
  }

  const responses = Object.fromEntries(
    Object.values(standardErrors).map(({ name, description, schema, headers }) => [
      name,
      {
        description,
        ...(headers ? { headers: headerDocs(headers) } : {}),
        content: { 'application/json': { schema: components.convert(schema, 'output') } },
      },
    ]),
  );
  components.convert(viewMetadata, 'output');

  return {
    openapi: '3.0.3',
    info,
    servers: [{ url: '/', description: 'This server' }],
    paths,
    components: { schemas: sortedByKey(components.schemas), responses, securitySchemes: sortedByKey(components.securitySchemes) },
  };
}

/** The document as openapi.yaml holds it (and /api/schema/ serves it): plain YAML, no anchors. */
export function openApiYaml(document: OpenApiDocument): string {
  return stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 });
}
