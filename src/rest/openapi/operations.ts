// One operation of the document: a view's method, from its ViewSpec docs (parameters, request
// body, responses) and its policies (security requirements, the pipeline's errors).
import { STATUS_CODES } from 'node:http';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { parsedMediaTypes } from '../parsers/index.js';
import { checkPermissions, ExpressRequestContext, effectivePolicies } from '../views/api-view.js';
import type { HttpMethod, ParameterDocs, ParsedMediaType, Policies, ResponseDocs, ViewSpec } from '../types.js';
import type { SchemaComponents } from './components.js';
import { exampleOf } from './examples.js';
import { pipelineErrors, standardErrors } from './standard-errors.js';

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

/** Response headers: each one required (the response always carries it). */
export function headerDocs(headers: Record<string, string>) {
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
export async function operation(
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
    ...(docs.request ? { requestBody: requestBodyDocs(components, docs.request, policies.parsers ?? parsedMediaTypes) } : {}),
    // No scheme at all (the JWT views): explicitly open, rather than silent.
    security,
    responses,
  };
}

/** The request body, as each media type the view parses (in its order) carries it. */
function requestBodyDocs(components: SchemaComponents, request: z.ZodType, parsers: readonly ParsedMediaType[]) {
  const schema = components.convert(request, 'input');
  const required = ((components.resolve(schema).required as unknown[] | undefined) ?? []).length > 0;
  const example = exampleOf(schema, (part) => components.resolve(part));
  const media = example === undefined ? { schema } : { schema, example };
  return { content: Object.fromEntries(parsers.map((mediaType) => [mediaType, media])), required };
}
