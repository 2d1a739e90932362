// DRF's DefaultRouter: viewsets registered under a prefix get a list route and a
// detail route, and the root lists every registered resource with its absolute URL.
// Routes match with and without the trailing slash (answered directly, no redirect).
import { Router } from 'express';
import type { ViewSet } from './viewset.js';
import { toRequestHandler, type Policies, type ViewSpec } from './views.js';

export class DefaultRouter {
  private readonly registry: { prefix: string; viewset: ViewSet }[] = [];
  private readonly views: { path: string; spec: ViewSpec }[] = [];

  constructor(private readonly defaults: Policies) {}

  register(prefix: string, viewset: ViewSet): this {
    this.registry.push({ prefix, viewset });
    return this;
  }

  /** A plain APIView at a path under the router. */
  view(path: string, spec: ViewSpec): this {
    this.views.push({ path, spec });
    return this;
  }

  get prefixes(): readonly { prefix: string; viewset: ViewSet }[] {
    return this.registry;
  }

  /** The Express router; every handler (and its policies) is built here, once. */
  build(): Router {
    const router = Router({ strict: false });
    const prefixes = this.registry.map((r) => r.prefix);
    const root: ViewSpec = {
      name: 'Api Root',
      description: 'The default basic root view for DefaultRouter',
      handlers: {
        GET: (ctx) => {
          const base = `${ctx.req.protocol}://${ctx.req.get('host') ?? 'localhost'}${ctx.req.baseUrl}`;
          return { body: Object.fromEntries(prefixes.map((prefix) => [prefix, `${base}/${prefix}/`])) };
        },
      },
    };
    router.all('/', toRequestHandler(root, this.defaults));
    for (const { prefix, viewset } of this.registry) {
      router.all(`/${prefix}/`, toRequestHandler(viewset.list, this.defaults));
      router.all(`/${prefix}/:pk/`, toRequestHandler(viewset.detail, this.defaults));
    }
    for (const { path, spec } of this.views) router.all(path, toRequestHandler(spec, this.defaults));
    return router;
  }
}
