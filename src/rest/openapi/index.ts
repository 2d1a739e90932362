// The OpenAPI 3.0 document of a URL table, derived as drf-spectacular derives it for DRF:
// - each route's ViewSpec `docs` give its operations: parameters, the request body and
//   the responses, as zod schemas converted by z.toJSONSchema (a schema named with
//   `.meta({ id })` becomes a reusable component);
// - each view's policies give the rest: the security requirements (authenticators carrying a
//   security scheme, anonymous access when the permissions allow it) and the errors the
//   pipeline answers (400, 401, 403, 404, 413, 415, 429).
// Nothing here knows an app: a view documented this way is documented wherever it is mounted.
import { stringify } from 'yaml';
import type { UrlPatterns } from '../types.js';
import { methodsOf } from '../views/api-view.js';
import { SchemaComponents } from './components.js';
import { headerDocs, openApiPath, operation } from './operations.js';
import { standardErrors, viewMetadata } from './standard-errors.js';
export type { ParameterDocs, ResponseDocs, OperationDocs, SecuritySchemeDocs } from '../types.js';
export { openApiPath } from './operations.js';

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
