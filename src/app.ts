// createApp(config, db): the whole HTTP application, built from its dependencies so
// every test can build one against its own database. urlPatterns is the URL table
// (Django's urls.py): Express mounts it, and openapi.yaml is derived from it.
import compression from 'compression';
import express, { type Express } from 'express';
import { pino, type Logger } from 'pino';
import { accountsApp } from './apps/accounts/index.js';
import { permissionStore } from './apps/accounts/permissions.js';
import { exampleViews } from './apps/examples/index.js';
import { lendingViewSets } from './apps/lending/index.js';
import { postsViewSet } from './apps/posts/index.js';
import { transactionsViewSet } from './apps/transactions/index.js';
import type { AppConfig } from './config.js';
import type { Database } from './db/index.js';
import { errorHandler, notFoundHandler } from './rest/errors.js';
import { healthRoutes } from './rest/http/health.js';
import { allowedHosts, crossOrigin, securityHeaders } from './rest/http/security.js';
import { modelPermissionPolicy } from './rest/permissions/model-permissions.js';
import type { ApiInfo } from './rest/openapi/index.js';
import { browsableApi } from './rest/browsable-api/index.js';
import { queryFieldLimit } from './rest/parsers/form.js';
import { readBody } from './rest/parsers/index.js';
import { AllowAny } from './rest/permissions/index.js';
import { attachError, requestLogger } from './rest/http/request-log.js';
import { DefaultRouter, mountRoutes, type UrlPatterns } from './rest/views/router.js';
import { jsonRenderer } from './rest/renderers/index.js';
import { withApiDocs } from './rest/openapi/schema-views.js';
import { memoryCounters, type CounterStore } from './rest/throttling/stores.js';
import { AnonRateThrottle, ScopedRateThrottle, UserRateThrottle } from './rest/throttling/index.js';
import type { Policies } from './rest/views/api-view.js';

export interface AppOptions {
  /** Where each request's line and every server error go. Default: nowhere (a silent logger). */
  logger?: Logger;
  /** Where throttles count; shared by every instance when it is Redis. Default: this process's memory. */
  counters?: CounterStore;
}

const silentLogger = pino({ level: 'silent' });
const apiDocs = { schemaPath: '/api/schema/', docsPath: '/api/docs/', redocPath: '/api/redoc/' };
const healthPaths = ['/healthz', '/readyz'];

export const apiInfo: ApiInfo = {
  title: 'drf-express',
  version: '1.0.0',
  description:
    'A Django REST Framework stack (DRF, SimpleJWT, Djoser, django-filter) on Express. Every path also answers ' +
    'without its trailing slash, HEAD (as GET) and OPTIONS (ViewMetadata). To authorize in Swagger UI: jwtAuth takes ' +
    'the access token of POST /api/token/; tokenAuth takes `Token <key>` with the key of POST /auth/token/login/; for ' +
    'a session, run POST /api/auth/session/ with "Try it out" (the page then sends X-CSRFToken by itself).',
};

/** The URL table; `counters` is where throttles count (shared by every instance when it is Redis). */
export function urlPatterns(config: AppConfig, db: Database, { counters = memoryCounters(), logger = silentLogger }: AppOptions = {}): UrlPatterns {
  const accounts = accountsApp(config, db);
  const throttles = [AnonRateThrottle, UserRateThrottle, ScopedRateThrottle].map((Throttle) => new Throttle(config.throttleRates, counters));
  const browsable = browsableApi({
    title: apiInfo.title,
    rootPath: '/api/',
    ...accounts.browserLogin,
    throttles,
    csrfCookie: { secure: config.session.secureCookies, sameSite: config.session.csrfSameSite },
    routes: () => patterns.routes,
  });
  const defaults: Policies = { authenticators: accounts.authenticators, permissions: [AllowAny], throttles, renderers: [jsonRenderer, browsable.renderer] };
  // Django model permissions on the models the deployment names (MODEL_PERMISSIONS).
  const modelPermissions = modelPermissionPolicy(config.modelPermissions, permissionStore(db));
  const lending = lendingViewSets(db, modelPermissions);
  const router = new DefaultRouter()
    .register('posts', postsViewSet(db, modelPermissions))
    .register('transactions', transactionsViewSet(db, modelPermissions))
    .register('friends', lending.friends)
    .register('belongings', lending.belongings)
    .register('borrowings', lending.borrowings);
  const health = healthRoutes({
    probes: { database: () => db.ping(), ...(counters.ping ? { redis: () => counters.ping!() } : {}) },
    // The reason without a stack: a probe polled through an outage must not flood the log.
    onFailure: (name, error, req) => logger.warn({ reqId: req.id, reason: failureReason(error) }, `readiness: ${name} unavailable`),
  });
  const patterns: UrlPatterns = withApiDocs(
    {
      defaults,
      routes: [...router.urls('/api'), ...accounts.routes, ...exampleViews(accounts.authentication), ...health],
      assets: browsable.assets,
    },
    { info: apiInfo, ...apiDocs },
  );
  return patterns;
}

export function createApp(config: AppConfig, db: Database, options: AppOptions = {}): Express {
  const logger = options.logger ?? silentLogger;
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false); // views read the raw query string (Django's QueryDict semantics)
  // req.ip: the peer's address, unless the operator names the proxies allowed to forward another.
  app.set('trust proxy', config.trustedProxies);

  // Django's middleware order: log, security headers, host check, CORS (preflights end here, before any authentication);
  // then the query string's field limit, which DRF's negotiation meets on every request.
  app.use(requestLogger(logger));
  app.use(securityHeaders(config.hsts));
  app.use(allowedHosts({ allowedHosts: config.allowedHosts, exemptPaths: healthPaths, onRefused: (host) => logger.warn(`Invalid HTTP_HOST header: ${JSON.stringify(host)}`) }));
  app.use(crossOrigin(config.cors));
  app.use(queryFieldLimit());
  // The document (83 KB) and Swagger UI's files (1.7 MB) are worth compressing; small JSON answers are not.
  // Everything there is text but the favicons (the YAML media type is unknown to compression's list).
  const notAnImage = (_req: unknown, res: { getHeader(name: string): unknown }) => !String(res.getHeader('Content-Type')).startsWith('image/');
  app.use([apiDocs.schemaPath, apiDocs.docsPath, apiDocs.redocPath], compression({ filter: notAnImage }));
  app.use(readBody(config.maxBodyBytes));

  // Routes match with and without the trailing slash (Express's default, non-strict routing).
  const { defaults, routes, assets = [] } = urlPatterns(config, db, options);
  mountRoutes(app, routes, defaults);
  for (const [path, handler] of assets) app.use(path, handler);

  app.use(notFoundHandler);
  app.use(errorHandler(attachError));
  return app;
}

/** An error's message, and its cause's (the driver's words behind DatabaseUnavailable). */
function failureReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
}
