// createApp(config, db): the whole HTTP application, built from its dependencies so
// every test can build one against its own database. Read top to bottom, this is
// the request pipeline and the URL table (Django's urls.py).
import express, { type Express } from 'express';
import { accountsApp } from './apps/accounts/index.js';
import { exampleViews } from './apps/examples/index.js';
import { postsViewSet } from './apps/posts/index.js';
import { transactionsViewSet } from './apps/transactions/index.js';
import type { AppConfig } from './config.js';
import type { Database } from './db/index.js';
import { errorHandler, notFoundHandler } from './rest/errors.js';
import { readBody } from './rest/parsers/index.js';
import { AllowAny } from './rest/permissions.js';
import { DefaultRouter } from './rest/router.js';
import { toRequestHandler, type Policies } from './rest/views.js';

export interface AppOptions {
  /** Where unexpected errors are reported (one entry per failed request). */
  log?: (message: string) => void;
}

export function createApp(config: AppConfig, db: Database, options: AppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false); // views read the raw query string (Django's QueryDict semantics)

  const accounts = accountsApp(config, db);
  const defaults: Policies = { authenticators: accounts.authenticators, permissions: [AllowAny], throttles: [] };

  app.use(readBody(config.maxBodyBytes));

  const router = new DefaultRouter(defaults).register('posts', postsViewSet(db)).register('transactions', transactionsViewSet(db));
  for (const [path, view] of [...accounts.routes, ...exampleViews(accounts.authentication)]) {
    app.all(path, toRequestHandler(view, defaults));
  }
  app.use('/api', router.build());

  app.use(notFoundHandler);
  app.use(errorHandler(options.log ?? ((message) => console.error(message))));
  return app;
}
