// openapi.yaml cannot drift from the server: it is exactly what the generator derives from
// the URL table, a valid OpenAPI document, and Express routes exactly what it documents.
// Also: the generator's rules on small views, and the response checker the HTTP suites use.
import { readFileSync } from 'node:fs';
import SwaggerParser from '@apidevtools/swagger-parser';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { createApp } from '../../src/app.js';
import { generateOpenApiYaml, openApiFile, withUnusedDatabase } from '../../src/openapi-file.js';
import type { Authenticator } from '../../src/rest/authentication/index.js';
import { jwtSecurityScheme } from '../../src/rest/authentication/jwt/index.js';
import { sessionSecurityScheme } from '../../src/rest/authentication/session.js';
import { openApiDocument, openApiPath, type OpenApiDocument } from '../../src/rest/openapi/index.js';
import { AllowAny, IsAuthenticated, IsAuthenticatedOrReadOnly } from '../../src/rest/permissions/index.js';
import type { MountedRoute, Route } from '../../src/rest/views/router.js';
import type { Throttle } from '../../src/rest/throttling/index.js';
import type { HttpMethod, ViewHandler, ViewSpec } from '../../src/rest/views/api-view.js';
import { ResponseMismatch, SpecValidator, type ObservedResponse } from '../support/openapi.js';

const committed = () => readFileSync(openApiFile, 'utf8');
const documentedMethods = ['get', 'post', 'put', 'patch', 'delete'];

describe('openapi.yaml', () => {
  it('is what `npm run openapi` derives from the server (no drift)', async () => {
    const generated = await generateOpenApiYaml();
    expect(generated, 'openapi.yaml is out of date with the server: run `npm run openapi` and commit the result').toBe(committed());
  });

  it('is a valid OpenAPI 3.0 document (swagger-parser)', async () => {
    const api = await SwaggerParser.validate(parseYaml(committed()) as never);
    expect((api as { openapi: string }).openapi).toBe('3.0.3');
  });

  it('gives every request body an example its schema accepts', async () => {
    const api = (await SwaggerParser.dereference(parseYaml(committed()) as never)) as unknown as OpenApiDocument;
    const ajv = new Ajv({ strict: false });
    addFormats.default(ajv);
    ajv.addFormat('decimal', /^-?\d*(\.\d*)?$/);
    let bodies = 0;
    for (const [path, item] of Object.entries(api.paths)) {
      for (const [method, operation] of Object.entries(item as Record<string, { requestBody?: { content: Record<string, { schema: object; example?: unknown }> } }>)) {
        for (const [mediaType, media] of Object.entries(operation.requestBody?.content ?? {})) {
          bodies += 1;
          expect(media.example, `${method} ${path} ${mediaType}`).toBeDefined();
          const validate = ajv.compile(media.schema);
          expect(validate(media.example), `${method} ${path}: ${ajv.errorsText(validate.errors)}`).toBe(true);
        }
      }
    }
    expect(bodies).toBeGreaterThan(30);
  });

  it('documents exactly the (path, method) pairs Express routes', async () => {
    const routed = await withUnusedDatabase((config, db) => {
      const app = createApp(config, db);
      const pairs: string[] = [];
      for (const layer of app.router.stack) {
        // A mounted router would hide its routes from this walk: the URL table is flat.
        expect((layer.handle as { stack?: unknown }).stack, `a router mounted outside urlPatterns (${layer.name})`).toBeUndefined();
        // The URL table is one middleware (mountRoutes) that names its routes.
        const { urlTable } = layer.handle as { urlTable?: MountedRoute[] };
        for (const { path, methods } of urlTable ?? []) for (const verb of methods) pairs.push(`${verb} ${openApiPath(path)}`);
        if (!layer.route) continue;
        // A view answers the methods it has handlers for (app.all registers it under every verb);
        // anything else routed answers the verbs it was registered for.
        const handlers = new Set(layer.route.stack.map((l) => l.handle as Partial<ViewHandler>));
        const [view] = handlers;
        const verbs =
          handlers.size === 1 && view?.methods
            ? view.methods
            : Object.keys((layer.route as unknown as { methods: Record<string, boolean> }).methods).filter((m) => m !== '_all');
        for (const verb of verbs) pairs.push(`${verb.toUpperCase()} ${openApiPath(layer.route.path)}`);
      }
      return pairs;
    });
    const document = parseYaml(committed()) as OpenApiDocument;
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => documentedMethods.includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(routed.sort(), 'Express routes what openapi.yaml does not document (or the reverse): route views through urlPatterns, then `npm run openapi`').toEqual(documented.sort());
  });

  describe('content', () => {
    let document: OpenApiDocument;
    type Operation = { operationId: string; security?: unknown[]; parameters?: { name: string }[]; responses: Record<string, unknown> };
    const operations = () =>
      Object.values(document.paths).flatMap((item) => Object.values(item as Record<string, Operation>));
    const op = (path: string, method: string) => document.paths[path]![method] as Operation;
    beforeAll(() => {
      document = parseYaml(committed()) as OpenApiDocument;
    });

    it('documents 413 on every operation, and 429 (with Retry-After) on every throttled one', () => {
      for (const operation of operations()) {
        expect(operation.responses['413'], operation.operationId).toEqual({ $ref: '#/components/responses/PayloadTooLarge' });
        if (/^(healthz|readyz)_/.test(operation.operationId!)) continue; // never throttled
        expect(operation.responses['429'], operation.operationId).toEqual({ $ref: '#/components/responses/Throttled' });
      }
      expect(document.components.responses!.Throttled).toMatchObject({ headers: { 'Retry-After': { required: true } } });
    });

    it('lists pagination, filter, search and ordering parameters of lists', () => {
      expect(op('/api/posts/', 'get').parameters!.map((p) => p.name)).toEqual(['page', 'page_size', 'owner', 'search', 'ordering']);
      expect(op('/api/transactions/', 'get').parameters!.map((p) => p.name)).toEqual([
        'limit',
        'offset',
        'amount',
        'amount__gte',
        'amount__lte',
        'amount__gt',
        'amount__lt',
        'timestamp__gte',
        'timestamp__lte',
        'search',
        'ordering',
      ]);
      // A bad filter value is a 400, a bad page a 404; limit/offset never fail.
      expect(Object.keys(op('/api/posts/', 'get').responses)).toEqual(['200', '400', '401', '403', '404', '413', '429']);
      expect(Object.keys(op('/api/transactions/', 'get').responses)).toEqual(['200', '400', '401', '403', '413', '429']);
    });

    it('derives security from authenticators and permissions: anonymous access where permissions allow it', () => {
      const everyScheme = [{ jwtAuth: [] }, { tokenAuth: [] }, { cookieAuth: [] }];
      expect(op('/api/posts/', 'get').security).toEqual([...everyScheme, {}]);
      expect(op('/api/posts/', 'post').security).toEqual(everyScheme);
      expect(op('/api/transactions/', 'get').security).toEqual(everyScheme);
      expect(op('/api/token/', 'post').security).toEqual([]); // no authentication at all: explicitly open
      // Djoser's per-action permissions: anyone registers, only users list.
      expect(op('/auth/users/', 'post').security).toEqual([...everyScheme, {}]);
      expect(op('/auth/users/', 'get').security).toEqual(everyScheme);
      // Views with their own authentication classes.
      expect(op('/api/profile/', 'get').security).toEqual([{ tokenAuth: [] }]);
      expect(op('/api/dashboard/', 'get').security).toEqual([{ cookieAuth: [] }]);
      expect(op('/api/auth/session/', 'post').security).toEqual([{ cookieAuth: [] }, {}]);
      expect(Object.keys(document.components.securitySchemes!)).toEqual(['cookieAuth', 'jwtAuth', 'tokenAuth']);
      expect(document.components.securitySchemes).toMatchObject({
        jwtAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        tokenAuth: { type: 'apiKey', in: 'header', name: 'Authorization' },
        cookieAuth: { type: 'apiKey', in: 'cookie', name: 'sessionid' },
      });
      // Swagger UI sends an apiKey verbatim: the user must type the keyword.
      expect((document.components.securitySchemes!.tokenAuth as { description: string }).description).toContain('`Token <key>`');
    });

    it('answers 401 only where the first scheme has a challenge (DRF turns it into 403 otherwise)', () => {
      expect(Object.keys(op('/api/dashboard/', 'get').responses)).toEqual(['200', '403', '413', '429']);
      expect(Object.keys(op('/api/profile/', 'get').responses)).toEqual(['200', '401', '403', '413', '429']);
      expect(Object.keys(op('/auth/token/logout/', 'post').responses)).toEqual(['204', '401', '403', '413', '429']);
    });

    it('names request and response schemas as drf-spectacular does', () => {
      expect(Object.keys(document.components.schemas!)).toEqual(
        expect.arrayContaining([
          ...['Post', 'PostRequest', 'PatchedPostRequest', 'PaginatedPostList', 'Transaction', 'TokenObtainPair'],
          ...['User', 'UserRequest', 'PatchedUserRequest', 'UserCreate', 'UserCreateRequest', 'TokenCreate', 'TokenCreateRequest'],
          ...['AuthToken', 'AuthTokenRequest', 'SetPasswordRequest', 'CurrentPasswordRequest', 'SessionLogin'],
        ]),
      );
      expect(op('/api/posts/{id}/', 'delete').responses['204']).toEqual({ description: 'No Content' });
      expect(op('/auth/users/me/', 'delete').responses['204']).toEqual({ description: 'No Content' });
    });
  });
});

describe('openApiDocument', () => {
  const info = { title: 't', version: '1', description: '' };
  const bearer: Authenticator = { authenticateHeader: 'Bearer', securityScheme: jwtSecurityScheme, authenticate: async () => null };
  const session: Authenticator = { securityScheme: sessionSecurityScheme, authenticate: async () => null };
  // A view with a throttle may answer 429; one without (the health probes) never does.
  const counting: Throttle = { check: async () => null };
  const view = (docs: ViewSpec['docs'], extra: Partial<ViewSpec> = {}): ViewSpec => ({
    name: 'V',
    handlers: Object.fromEntries(Object.keys(docs ?? { GET: 0 }).map((m) => [m as HttpMethod, () => ({})])),
    docs,
    ...extra,
  });
  const generate = (routes: Route[], authenticators: Authenticator[] = [bearer]) =>
    openApiDocument({ defaults: { authenticators, permissions: [AllowAny], throttles: [counting] }, routes }, info);
  const responsesOf = async (route: Route, method = 'get', authenticators?: Authenticator[]) =>
    Object.keys(((await generate([route], authenticators)).paths[openApiPath(route[0])]![method] as { responses: object }).responses);

  it('refuses a handler without docs, saying what to declare', async () => {
    await expect(generate([['/x/', view(undefined)]])).rejects.toThrow('GET /x/ (V) is not documented: declare docs.GET on its ViewSpec');
  });

  it('adds the errors the pipeline answers, from the policies, parameters and body', async () => {
    const body = z.object({ a: z.string() });
    expect(await responsesOf(['/x/', view({ GET: { responses: { 200: body } } })])).toEqual(['200', '401', '413', '429']);
    expect(await responsesOf(['/x/', view({ GET: { responses: { 200: body } } })], 'get', [])).toEqual(['200', '413', '429']);
    expect(await responsesOf(['/x/', view({ POST: { request: body, responses: { 201: body } } })], 'post')).toEqual([
      '201',
      '400',
      '401',
      '413',
      '415',
      '429',
    ]);
    expect(await responsesOf(['/x/:id/', view({ GET: { responses: { 200: body } }, DELETE: { responses: { 204: null } } })], 'delete')).toEqual([
      '204',
      '401',
      '404',
      '413',
      '429',
    ]);
    // Without a WWW-Authenticate header on the first authenticator, DRF answers 403 instead of 401.
    expect(await responsesOf(['/x/', view({ GET: { responses: { 200: body } } })], 'get', [session])).toEqual(['200', '403', '413', '429']);
    const restricted = view({ GET: { responses: { 200: body } } }, { permissions: [IsAuthenticated] });
    expect(await responsesOf(['/x/', restricted])).toEqual(['200', '401', '403', '413', '429']);
  });

  it('asks the permissions whether anonymous callers pass, per method', async () => {
    const docs = { GET: { responses: { 200: null } }, POST: { responses: { 201: null } } };
    const document = await generate([['/x/', view(docs, { permissions: [IsAuthenticatedOrReadOnly] })]], [bearer, session]);
    const item = document.paths['/x/'] as Record<string, { security: unknown }>;
    expect(item.get!.security).toEqual([{ jwtAuth: [] }, { cookieAuth: [] }, {}]);
    expect(item.post!.security).toEqual([{ jwtAuth: [] }, { cookieAuth: [] }]);
  });

  it('makes components of schemas named with .meta({ id }), and refuses two schemas under one name', async () => {
    const item = z.object({ a: z.int() }).meta({ id: 'Item' });
    const list = z.object({ results: z.array(item) }).meta({ id: 'ItemList' });
    const document = await generate([['/x/', view({ GET: { responses: { 200: list } } })]]);
    expect(document.components.schemas).toMatchObject({
      Item: { type: 'object', properties: { a: { type: 'integer' } } },
      ItemList: { properties: { results: { items: { $ref: '#/components/schemas/Item' } } } },
    });
    const impostor = z.object({ b: z.string() }).meta({ id: 'Item' });
    await expect(
      generate([
        ['/x/', view({ GET: { responses: { 200: item } } })],
        ['/y/', view({ GET: { responses: { 200: impostor } } })],
      ]),
    ).rejects.toThrow('Two different schemas are named "Item"');
  });

  it('documents the headers a response carries, with or without a body', async () => {
    const cleared = { 'Set-Cookie': 'Clears the cookie.' };
    const document = await generate([['/x/', view({ DELETE: { responses: { 204: { headers: cleared } } } })]]);
    expect((document.paths['/x/']!.delete as { responses: Record<string, unknown> }).responses['204']).toEqual({
      description: 'No Content',
      headers: { 'Set-Cookie': { description: 'Clears the cookie.', required: true, schema: { type: 'string' } } },
    });
  });

  it('refuses two operations with one operationId', async () => {
    const docs = { GET: { responses: { 200: null } } };
    await expect(generate([['/a/b/', view(docs)], ['/a/:id/b/', view(docs)]])).rejects.toThrow('Two operations have the operationId a_b_retrieve');
  });
});

describe('SpecValidator', () => {
  let spec: SpecValidator;
  beforeAll(async () => {
    spec = await SpecValidator.load();
  });
  const json = { 'content-type': 'application/json; charset=utf-8' };
  const transaction = { id: 1, user: 2, amount: '12.50', description: 'lunch', timestamp: '2024-01-01T12:00:00.123000Z' };
  const check = (response: Partial<ObservedResponse> & { body?: unknown }) => () => {
    const { body, ...rest } = response;
    spec.check({ method: 'GET', url: '/api/transactions/1/', status: 200, headers: json, text: body === undefined ? '' : JSON.stringify(body), ...rest });
  };

  it('accepts a documented response', () => {
    expect(check({ body: transaction })).not.toThrow();
    expect(check({ url: '/api/transactions/1', body: transaction })).not.toThrow(); // without the trailing slash
    expect(check({ method: 'HEAD' })).not.toThrow();
    expect(check({ method: 'DELETE', status: 204, headers: {} })).not.toThrow();
  });

  it('refuses a status the operation does not document', () => {
    expect(check({ method: 'DELETE', status: 200, body: transaction })).toThrow(ResponseMismatch);
    expect(check({ method: 'DELETE', status: 200, body: transaction })).toThrow('status 200 is not documented for api_transactions_destroy');
  });

  it('refuses a body that does not match its schema', () => {
    expect(check({ body: { ...transaction, amount: 12.5 } })).toThrow('body/amount must be string');
    expect(check({ body: { ...transaction, extra: true } })).toThrow('must NOT have additional properties');
    expect(check({ body: { ...transaction, timestamp: 'yesterday' } })).toThrow('must match format "date-time"');
    expect(check({ method: 'DELETE', status: 204, headers: {}, body: {} })).toThrow('a body was sent where the document says there is none');
    expect(check({ headers: { 'content-type': 'text/html' }, body: transaction })).toThrow('Content-Type text/html is not one of application/json');
  });

  it('requires the headers the document requires', () => {
    const throttled = { status: 429, body: { detail: 'Request was throttled. Expected available in 5 seconds.' } };
    expect(check({ ...throttled, headers: { ...json, 'retry-after': '5' } })).not.toThrow();
    expect(check({ ...throttled })).toThrow('the Retry-After header is missing');
    const login = { method: 'POST', url: '/api/auth/session/', status: 200, body: { detail: 'Logged in.', username: 'alice' } };
    expect(check({ ...login, headers: { ...json, 'set-cookie': 'sessionid=k; Path=/' } })).not.toThrow();
    expect(check({ ...login, headers: json })).toThrow('the Set-Cookie header is missing');
  });

  it('expects 404 for an unknown URL and 405 with the documented Allow for an undocumented method', () => {
    expect(check({ url: '/api/nothing/', status: 404, body: { detail: 'Not found.' } })).not.toThrow();
    expect(check({ url: '/api/nothing/', status: 200, body: {} })).toThrow('no documented path matches this URL');
    const notAllowed = { method: 'POST', status: 405, body: { detail: 'Method "POST" not allowed.' } };
    expect(check({ ...notAllowed, headers: { ...json, allow: 'GET, PUT, PATCH, DELETE, HEAD, OPTIONS' } })).not.toThrow();
    expect(check({ ...notAllowed, headers: { ...json, allow: 'GET, POST, HEAD, OPTIONS' } })).toThrow('Allow is GET, POST, HEAD, OPTIONS');
    expect(check({ method: 'POST', status: 201, body: transaction })).toThrow('POST is not documented on /api/transactions/{id}/');
  });

  it('accepts 404 for a format no renderer has, by ?format= or by a suffix: DRF negotiates before any view', () => {
    const notFound = { status: 404, body: { detail: 'Not found.' } };
    expect(check({ ...notFound, method: 'POST', url: '/api/transactions/1.xyz/' })).not.toThrow();
    expect(check({ ...notFound, method: 'POST', url: '/api/transactions/1.5' })).not.toThrow();
    expect(check({ ...notFound, method: 'POST', url: '/api/transactions/1/?format=xyz' })).not.toThrow();
    expect(check({ ...notFound, method: 'POST', url: '/api/transactions/1/' })).toThrow('POST is not documented on /api/transactions/{id}/');
  });
});
