// drf-spectacular's SpectacularAPIView and SpectacularSwaggerView: the OpenAPI document of
// the URL table (YAML, or JSON with ?format=json), and Swagger UI on it, its assets served
// from swagger-ui-dist (no CDN). Both are ordinary views: same pipeline, documented too.
import type { RequestHandler } from 'express';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';
import { NotFound } from './errors.js';
import { openApiDocument, openApiYaml, type ApiInfo } from './openapi.js';
import type { UrlPatterns } from './router.js';
import type { ViewSpec } from './views.js';

const schemaFormats = {
  yaml: { mediaType: 'application/vnd.oai.openapi', render: openApiYaml },
  json: { mediaType: 'application/vnd.oai.openapi+json', render: (document: object) => JSON.stringify(document) },
} as const;
type Format = keyof typeof schemaFormats;

const anyDocument = z.record(z.string(), z.unknown());

/** GET: the document of `patterns`, derived on first use (the same text `npm run openapi` writes). */
function schemaView(patterns: () => UrlPatterns, info: ApiInfo): ViewSpec {
  const rendered: Partial<Record<Format, Promise<string>>> = {};
  let document: ReturnType<typeof openApiDocument> | undefined;
  return {
    name: 'Spectacular Api',
    description: 'OpenApi3 schema for this API. Format can be selected via the `format` query parameter: yaml (default) or json.',
    handlers: {
      GET: async (ctx) => {
        const format = (ctx.query.get('format') ?? 'yaml') as Format;
        // DRF answers a format no renderer offers with 404.
        if (!Object.hasOwn(schemaFormats, format)) throw new NotFound();
        const { mediaType, render } = schemaFormats[format];
        document ??= openApiDocument(patterns(), info);
        return { body: await (rendered[format] ??= document.then(render)), contentType: mediaType };
      },
    },
    docs: {
      GET: {
        parameters: [
          { name: 'format', description: 'yaml (default) or json.', schema: { type: 'string', enum: ['yaml', 'json'] }, rejects: 404 },
        ],
        responses: {
          200: { content: Object.fromEntries(Object.values(schemaFormats).map(({ mediaType }) => [mediaType, anyDocument])) },
        },
      },
    },
  };
}

// The files the page loads (swagger-ui-express's init script, swagger-ui-dist's assets), nothing else of the package.
const assetFiles = new Set([
  '/swagger-ui-init.js',
  '/swagger-ui.css',
  '/swagger-ui-bundle.js',
  '/swagger-ui-standalone-preset.js',
  '/favicon-32x32.png',
  '/favicon-16x16.png',
]);

/**
 * Swagger UI's requestInterceptor: "Try it out" as a session-authenticated page must send the
 * `csrftoken` cookie's value in X-CSRFToken, as the SPA does (Authorize cannot: it sets no header
 * for a cookie scheme). swagger-ui-express writes this function's source into the page, so it
 * must stand alone: no closure, no helper, nothing but the browser's globals.
 */
function copyCsrfCookieToHeader(request: { headers: Record<string, string> }) {
  const cookie = /(?:^|;\s*)csrftoken=([^;]*)/.exec((globalThis as unknown as { document: { cookie: string } }).document.cookie);
  if (cookie) request.headers['X-CSRFToken'] = decodeURIComponent(cookie[1]!);
  return request;
}

/** GET: Swagger UI's page on the document at `schemaUrl`; and the middleware serving its assets under `path`. */
function swaggerUiView(path: string, schemaUrl: string, title: string): { view: ViewSpec; assets: RequestHandler } {
  const options = {
    customSiteTitle: title,
    swaggerUrl: schemaUrl,
    swaggerOptions: {
      // No badge fetched from validator.swagger.io: the page requests nothing from another host.
      validatorUrl: null,
      requestInterceptor: copyCsrfCookieToHeader,
    },
  };
  // The page refers to its assets relatively; <base> makes that work with and without the trailing slash.
  const html = swaggerUi.generateHTML(undefined, options).replace('<head>', `<head>\n  <base href="${path}">`);
  const [init, files] = swaggerUi.serveFiles(undefined, options) as [RequestHandler, RequestHandler];
  const assets: RequestHandler = (req, res, next) => {
    if (!assetFiles.has(req.path)) return next();
    void init(req, res, () => void files(req, res, next));
  };
  const view: ViewSpec = {
    name: 'Spectacular Swagger',
    description: 'Swagger UI: the API documentation, with "Try it out".',
    handlers: { GET: () => ({ body: html, contentType: 'text/html' }) },
    docs: { GET: { responses: { 200: { content: { 'text/html': z.string() } } } } },
  };
  return { view, assets };
}

interface ApiDocsOptions {
  info: ApiInfo;
  /** Where the document is served ('/api/schema/'). */
  schemaPath: string;
  /** Where Swagger UI is served ('/api/docs/'). */
  docsPath: string;
}

/** The URL table with the schema and Swagger UI views (which the document describes too) and Swagger UI's assets. */
export function withApiDocs(patterns: UrlPatterns, options: ApiDocsOptions): UrlPatterns {
  const { info, schemaPath, docsPath } = options;
  const swagger = swaggerUiView(docsPath, `${schemaPath}?format=json`, info.title);
  const withDocs: UrlPatterns = {
    ...patterns,
    routes: [...patterns.routes, [schemaPath, schemaView(() => withDocs, info)], [docsPath, swagger.view]],
    assets: [...(patterns.assets ?? []), [docsPath, swagger.assets]],
  };
  return withDocs;
}
