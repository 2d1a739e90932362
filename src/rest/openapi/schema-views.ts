// drf-spectacular's SpectacularAPIView, SpectacularSwaggerView and SpectacularRedocView: the
// OpenAPI document of the URL table (YAML, or JSON by `?format=json` or Accept), and Swagger UI
// and ReDoc on it, their assets served from swagger-ui-dist and redoc's standalone bundle (no
// CDN). All are ordinary views: same pipeline, documented too.
// The document has an ETag (a client revalidates for a 304); swagger-ui-dist's files are
// linked with its version in the URL, so browsers may keep them for a year.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import express, { type RequestHandler } from 'express';
import swaggerUi from 'swagger-ui-express';
import { z } from 'zod';
import { openApiDocument, openApiYaml, type ApiInfo } from './index.js';
import { documentRenderer } from '../renderers/index.js';
import type { UrlPatterns, ViewSpec } from '../types.js';

const schemaFormats = {
  yaml: openApiYaml,
  json: (document: object) => JSON.stringify(document),
} as const;
type Format = keyof typeof schemaFormats;

// drf-spectacular's renderers, in its order: YAML answers clients that accept anything.
const schemaRenderers = [
  documentRenderer('application/vnd.oai.openapi', 'yaml', 'application/vnd.oai.openapi; charset=utf-8'),
  documentRenderer('application/yaml', 'yaml', 'application/yaml; charset=utf-8'),
  documentRenderer('application/vnd.oai.openapi+json', 'json'),
  documentRenderer('application/json', 'json'),
];

/** The page renderer of the documentation views (drf-spectacular's TemplateHTMLRenderer). */
const htmlPage = [documentRenderer('text/html', 'html', 'text/html; charset=utf-8')];
const htmlPageDocs = { GET: { responses: { 200: { content: { 'text/html': z.string() } } } } };

const anyDocument = z.record(z.string(), z.unknown());

/** A strong ETag of a text, and whether the request already holds that version. */
function entityTag(text: string): { etag: string; matches: (ifNoneMatch: string | undefined) => boolean } {
  const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
  return { etag, matches: (ifNoneMatch) => ifNoneMatch !== undefined && (ifNoneMatch.trim() === '*' || ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) };
}

/** GET: the document of `patterns`, derived on first use (the same text `npm run openapi` writes). */
function schemaView(patterns: () => UrlPatterns, info: ApiInfo): ViewSpec {
  const rendered: Partial<Record<Format, Promise<{ text: string; tag: ReturnType<typeof entityTag> }>>> = {};
  let document: ReturnType<typeof openApiDocument> | undefined;
  return {
    name: 'Spectacular Api',
    description: 'OpenApi3 schema for this API. Format can be selected via content negotiation: YAML (default) or JSON.',
    renderers: schemaRenderers,
    handlers: {
      GET: async (ctx) => {
        const format = ctx.renderer.format as Format;
        document ??= openApiDocument(patterns(), info);
        const { text, tag } = await (rendered[format] ??= document.then(schemaFormats[format]).then((text) => ({ text, tag: entityTag(text) })));
        // Revalidated on every use (no-cache), answered 304 while unchanged.
        const headers = { ETag: tag.etag, 'Cache-Control': 'no-cache' };
        if (tag.matches(ctx.req.get('if-none-match'))) return { status: 304, headers };
        return { body: text, headers };
      },
    },
    docs: {
      GET: {
        parameters: [
          { name: 'format', description: 'yaml (default) or json.', schema: { type: 'string', enum: ['yaml', 'json'] }, rejects: 404 },
        ],
        responses: { 200: { content: Object.fromEntries(schemaRenderers.map(({ mediaType }) => [mediaType, anyDocument])) } },
      },
    },
  };
}

// The files the page loads from swagger-ui-dist, linked as `file?v=<its version>`.
const distFiles = ['/swagger-ui.css', '/swagger-ui-bundle.js', '/swagger-ui-standalone-preset.js', '/favicon-32x32.png', '/favicon-16x16.png'];
const distPackage = createRequire(import.meta.url).resolve('swagger-ui-dist/package.json');
const distVersion = (JSON.parse(readFileSync(distPackage, 'utf8')) as { version: string }).version;
const distFolder = dirname(distPackage);

// The page's document (this module is compiled without the DOM's types).
declare const document: { readonly cookie: string };

/**
 * Swagger UI's requestInterceptor: "Try it out" as a session-authenticated page must send the
 * `csrftoken` cookie's value in X-CSRFToken, as the SPA does (Authorize cannot: it sets no header
 * for a cookie scheme). swagger-ui-express writes this function's source into the page, so it
 * must stand alone: no closure, no helper, nothing but the browser's globals.
 */
function copyCsrfCookieToHeader(request: { headers: Record<string, string> }) {
  const cookie = /(?:^|;\s*)csrftoken=([^;]*)/.exec(document.cookie);
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
  let html = swaggerUi.generateHTML(undefined, options).replace('<head>', `<head>\n  <base href="${path}">`);
  for (const file of distFiles) html = html.replace(`".${file}"`, `".${file}?v=${distVersion}"`);
  // swagger-ui-express's handler answers the init script (this page's options); the files are swagger-ui-dist's.
  const [init] = swaggerUi.serveFiles(undefined, options) as [RequestHandler];
  const versioned = express.static(distFolder, { index: false, maxAge: '365d', immutable: true });
  const unversioned = express.static(distFolder, { index: false });
  const assets: RequestHandler = (req, res, next) => {
    if (req.path === '/swagger-ui-init.js') {
      res.set('Cache-Control', 'no-cache');
      return void init(req, res, next);
    }
    if (!distFiles.includes(req.path)) return next();
    return void (req.url === `${req.path}?v=${distVersion}` ? versioned : unversioned)(req, res, next);
  };
  const view: ViewSpec = {
    name: 'Spectacular Swagger',
    description: 'Swagger UI: the API documentation, with "Try it out".',
    renderers: htmlPage,
    handlers: { GET: () => ({ body: html }) },
    docs: htmlPageDocs,
  };
  return { view, assets };
}

const redocBundlePath = createRequire(import.meta.url).resolve('redoc/bundles/redoc.standalone.js');
// The only file the bundle would fetch from elsewhere: the sidebar's attribution logo, drawn here inline instead.
const redocCdnLogo = 'https://cdn.redoc.ly/redoc/logo-mini.svg';
const localLogo = `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><circle cx="8" cy="8" r="7" fill="#d41f1c"/></svg>')}`;
let redocBundle: string | undefined;
/** The standalone bundle, read once, asking nothing of another host. */
function redocBundleText(): string {
  return (redocBundle ??= readFileSync(redocBundlePath, 'utf8').replaceAll(redocCdnLogo, localLogo));
}

/** Starts ReDoc on the element naming the document (no inline script: a CSP may forbid them). */
const redocInit = `(function () {
  var element = document.getElementById('redoc');
  Redoc.init(element.getAttribute('data-spec-url'), { hideDownloadButton: false }, element);
})();
`;

const escapeAttribute = (text: string) => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** GET: ReDoc's page on the document at `schemaUrl`; and the middleware serving its two scripts under `path`. */
function redocView(path: string, schemaUrl: string, title: string): { view: ViewSpec; assets: RequestHandler } {
  const html = `<!DOCTYPE html>
<html>
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeAttribute(title)} – ReDoc</title>
  <base href="${escapeAttribute(path)}">
</head>
<body>
  <div id="redoc" data-spec-url="${escapeAttribute(schemaUrl)}"></div>
  <script src="redoc.standalone.js"></script>
  <script src="redoc-init.js"></script>
</body>
</html>
`;
  const assets: RequestHandler = (req, res, next) => {
    const script = req.path === '/redoc.standalone.js' ? redocBundleText() : req.path === '/redoc-init.js' ? redocInit : undefined;
    if (script === undefined) return next();
    res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
    res.setHeader('Cache-Control', 'public, max-age=3600');
    res.end(script);
  };
  const view: ViewSpec = {
    name: 'Spectacular Redoc',
    description: 'ReDoc: the API documentation, as a reference to read.',
    renderers: htmlPage,
    handlers: { GET: () => ({ body: html }) },
    docs: htmlPageDocs,
  };
  return { view, assets };
}

interface ApiDocsOptions {
  info: ApiInfo;
  /** Where the document is served ('/api/schema/'). */
  schemaPath: string;
  /** Where Swagger UI is served ('/api/docs/'). */
  docsPath: string;
  /** Where ReDoc is served ('/api/redoc/'). */
  redocPath: string;
}

/** The URL table with the schema and Swagger UI views (which the document describes too) and Swagger UI's assets. */
export function withApiDocs(patterns: UrlPatterns, options: ApiDocsOptions): UrlPatterns {
  const { info, schemaPath, docsPath, redocPath } = options;
  const swagger = swaggerUiView(docsPath, `${schemaPath}?format=json`, info.title);
  const redoc = redocView(redocPath, `${schemaPath}?format=json`, info.title);
  const withDocs: UrlPatterns = {
    ...patterns,
    routes: [
      ...patterns.routes,
      [schemaPath, schemaView(() => withDocs, info)],
      [docsPath, swagger.view],
      [redocPath, redoc.view],
    ],
    assets: [...(patterns.assets ?? []), [docsPath, swagger.assets], [redocPath, redoc.assets]],
  };
  return withDocs;
}
