// createApp(config, db): the whole HTTP application, built from its dependencies so
// every test can build one against its own database. urlPatterns is the URL table
// (Django's urls.py): Express mounts it, and openapi.yaml is derived from it.
import express, { type Express } from 'express';
import { accountsApp } from './apps/accounts/index.js';
import { permissionStore } from './apps/accounts/permissions.js';
import { exampleViews } from './apps/examples/index.js';
import { lendingViewSets } from './apps/lending/index.js';
import { postsViewSet } from './apps/posts/index.js';
import { transactionsViewSet } from './apps/transactions/index.js';
import type { AppConfig } from './config.js';
import type { Database } from './db/index.js';
import { errorHandler, notFoundHandler } from './rest/errors.js';
import { modelPermissionPolicy } from './rest/model-permissions.js';
import type { ApiInfo } from './rest/openapi.js';
import { readBody } from './rest/parsers/index.js';
import { AllowAny } from './rest/permissions.js';
import { DefaultRouter, mountRoutes, type UrlPatterns } from './rest/router.js';
import { withApiDocs } from './rest/schema-views.js';
import { memoryCounters, type CounterStore } from './rest/throttle-stores.js';
import { AnonRateThrottle, ScopedRateThrottle, UserRateThrottle } from './rest/throttling.js';
import type { Policies } from './rest/views.js';

export interface AppOptions {
  /** Where unexpected errors are reported (one entry per failed request). */
  log?: (message: string) => void;
  /** Where throttles count; shared by every instance when it is Redis. Default: this process's memory. */
  counters?: CounterStore;
}

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
export function urlPatterns(config: AppConfig, db: Database, counters: CounterStore = memoryCounters()): UrlPatterns {
  const accounts = accountsApp(config, db);
  const throttles = [AnonRateThrottle, UserRateThrottle, ScopedRateThrottle].map((Throttle) => new Throttle(config.throttleRates, counters));
  const defaults: Policies = { authenticators: accounts.authenticators, permissions: [AllowAny], throttles };
  // Django model permissions on the models the deployment names (MODEL_PERMISSIONS).
  const modelPermissions = modelPermissionPolicy(config.modelPermissions, permissionStore(db));
  const lending = lendingViewSets(db, modelPermissions);
  const router = new DefaultRouter()
    .register('posts', postsViewSet(db, modelPermissions))
    .register('transactions', transactionsViewSet(db, modelPermissions))
    .register('friends', lending.friends)
    .register('belongings', lending.belongings)
    .register('borrowings', lending.borrowings);
  return withApiDocs(
    { defaults, routes: [...router.urls('/api'), ...accounts.routes, ...exampleViews(accounts.authentication)] },
    { info: apiInfo, schemaPath: '/api/schema/', docsPath: '/api/docs/' },
  );
}

export function createApp(config: AppConfig, db: Database, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false); // views read the raw query string (Django's QueryDict semantics)
  // req.ip: the peer's address, unless the operator names the proxies allowed to forward another.
  app.set('trust proxy', config.trustedProxies);

  app.use(readBody(config.maxBodyBytes));

  // Routes match with and without the trailing slash (Express's default, non-strict routing).
  const { defaults, routes, assets = [] } = urlPatterns(config, db, options.counters);
  mountRoutes(app, routes, defaults);
  for (const [path, handler] of assets) app.use(path, handler);

  app.use(notFoundHandler);
  app.use(errorHandler(options.log ?? ((message) => console.error(message))));
  return app;
}
