// DRF's DefaultRouter: viewsets registered under a prefix get a list route and a
// detail route, and the root lists every registered resource with its absolute URL.
// urls() is the route table (DRF's router.urls): the app mounts it, and the OpenAPI
// document is derived from it.
import type { IRouter } from 'express';
import { z } from 'zod';
import { origin } from '../http/urls.js';
import type { ViewSet } from './viewset.js';
import { toRequestHandler } from './api-view.js';
import type { Policies, Route, ViewSpec } from '../types.js';
export type { Route, UrlPatterns } from '../types.js';

const apiRootSchema = z
  .record(z.string(), z.url())
  .meta({ id: 'ApiRoot', description: 'Each registered resource and the absolute URL of its list.' });

export class DefaultRouter {
  private readonly registry: { prefix: string; viewset: ViewSet }[] = [];

  register(prefix: string, viewset: ViewSet): this {
    this.registry.push({ prefix, viewset });
    return this;
  }

  /**
   * The routes under `prefix` ('/api'): the root, each viewset's list and detail
   * (`/api/posts/`, `/api/posts/:id/`).
   */
  urls(prefix = ''): Route[] {
    const prefixes = this.registry.map((r) => r.prefix);
    const root: ViewSpec = {
      name: 'Api Root',
      description: 'The default basic root view for DefaultRouter',
      handlers: {
        GET: (ctx) => {
          const base = `${origin(ctx.req)}${prefix}`;
          return { body: Object.fromEntries(prefixes.map((p) => [p, `${base}/${p}/`])) };
        },
      },
      docs: { GET: { responses: { 200: apiRootSchema } } },
    };
    return [
      [`${prefix}/`, root],
      ...this.registry.flatMap(({ prefix: resource, viewset }): Route[] => [
        [`${prefix}/${resource}/`, viewset.list],
        [`${prefix}/${resource}/:id/`, viewset.detail],
      ]),
    ];
  }
}

/** Mounts each route's view under every method (the view answers 405 itself for the ones it lacks). */
export function mountRoutes(app: IRouter, routes: readonly Route[], defaults: Policies): void {
  for (const [path, view] of routes) app.all(path, toRequestHandler(view, defaults));
}
