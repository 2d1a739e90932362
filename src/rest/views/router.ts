// DRF's DefaultRouter: viewsets registered under a prefix get a list route and a
// detail route, and the root lists every registered resource with its absolute URL. Every
// route of a router also answers with a format suffix (`/api/posts.json`, DRF's
// format_suffix_patterns), which chooses the renderer as `?format=` does.
// urls() is the route table (DRF's router.urls): the app mounts it, and the OpenAPI
// document is derived from it.
import type { IRouter, RequestHandler } from 'express';
import { z } from 'zod';
import { origin, QueryParams, quotePlus } from '../http/urls.js';
import type { ViewSet } from './viewset.js';
import { toRequestHandler } from './api-view.js';
import { formatSuffixOf } from '../renderers/negotiation.js';
import type { HttpMethod, Policies, Route, ViewSpec } from '../types.js';
export type { FormatSuffix, Route, UrlPatterns } from '../types.js';

const apiRootSchema = z
  .record(z.string(), z.url())
  .meta({ id: 'ApiRoot', description: 'Each registered resource and the absolute URL of its list.' });

/**
 * A router's root (DRF's APIRootView) at `path`: each resource's list URL. Like DRF's reverse(),
 * the links keep the request's format suffix, and its `format` query parameter.
 */
export function apiRootRoute(path: string, resources: readonly string[]): Route {
  const root: ViewSpec = {
    name: 'Api Root',
    description: 'The default basic root view for DefaultRouter',
    handlers: {
      GET: ({ req }) => {
        const suffix = formatSuffixOf(req);
        const end = suffix === undefined ? '/' : `.${suffix}`;
        const format = QueryParams.of(req).get('format');
        const query = format === undefined ? '' : `?format=${quotePlus(format)}`;
        const base = `${origin(req)}${path}`;
        return { body: Object.fromEntries(resources.map((resource) => [resource, `${base}${resource}${end}${query}`])) };
      },
    },
    docs: { GET: { responses: { 200: apiRootSchema } } },
  };
  return [path, root, 'after-slash'];
}

/** The routes, answering with a format suffix too (DRF's format_suffix_patterns). */
export const formatSuffixPatterns = (routes: readonly Route[]): Route[] => routes.map(([path, view]) => [path, view, 'replaces-slash']);

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
    return [
      apiRootRoute(`${prefix}/`, this.registry.map((r) => r.prefix)),
      ...formatSuffixPatterns(
        this.registry.flatMap(({ prefix: resource, viewset }): Route[] => [
          [`${prefix}/${resource}/`, viewset.list],
          [`${prefix}/${resource}/:id/`, viewset.detail],
        ]),
      ),
    ];
  }
}

/** One segment of a route's path: text matched case-insensitively (kept lowercased), or a parameter. */
type Segment = { literal: string } | { param: string };

interface PatternRoute {
  segments: readonly Segment[];
  handler: RequestHandler;
  /** A router's parameters take no dot (DRF's lookup_value_regex `[^/.]+`): `5.json` is 5 with a format suffix. */
  dotless: boolean;
}

/** What the mounted middleware tells of its table (`urlTable`), for a test to compare with the document. */
export interface MountedRoute {
  path: string;
  methods: readonly HttpMethod[];
}

/** A path's segments without its one optional trailing slash ('/api/posts/' → ['api', 'posts']). */
function segmentsOf(path: string): string[] {
  return withoutSlashes(path).split('/');
}

/** The path without its leading slash and its one optional trailing slash ('/api/posts/' → 'api/posts'). */
function withoutSlashes(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(1, -1) : path.slice(1);
}

/** The route's parameters when `segments` (a request path's) match it, else null. */
function matchRoute(route: PatternRoute, segments: readonly string[]): Record<string, string> | null {
  if (route.segments.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const pattern = route.segments[i]!;
    const segment = segments[i]!;
    if ('literal' in pattern) {
      if (pattern.literal !== segment.toLowerCase()) return null;
    } else {
      if (segment === '' || (route.dotless && segment.includes('.'))) return null;
      params[pattern.param] = segment;
    }
  }
  return params;
}

/** A format suffix on a path's last segment, as DRF's pattern reads it (`posts.json`: `posts` and `json`), or null. */
function splitFormatSuffix(segments: readonly string[]): { segments: string[]; format: string } | null {
  const match = /^(.*)\.([a-z0-9]+)$/.exec(segments[segments.length - 1]!);
  return match && { segments: [...segments.slice(0, -1), match[1]!], format: match[2]! };
}

/** Express's decoding of a path parameter: a malformed escape is the client's 400. */
function decodeParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw Object.assign(new URIError(`Failed to decode param '${value}'`), { status: 400, statusCode: 400 });
  }
}

/**
 * Mounts the URL table as one middleware that finds a request's view by lookup rather than by
 * trying every route in turn: Express's matching (case-insensitive, an optional trailing slash,
 * parameters decoded into req.params, the first route registered wins) without its scan. Every
 * method reaches the view, which answers 405 itself for the ones it lacks.
 */
export function mountRoutes(app: IRouter, routes: readonly Route[], defaults: Policies): void {
  const exact = new Map<string, RequestHandler>();
  const patterns: PatternRoute[] = [];
  /** The routes that take a format suffix, each as the path it has without its format (`/api/posts`, `/api/`). */
  const suffixed: PatternRoute[] = [];
  const table: MountedRoute[] = [];
  for (const [path, view, formatSuffix] of routes) {
    const handler = toRequestHandler(view, defaults);
    table.push({ path, methods: handler.methods });
    const segments = segmentsOf(path).map((segment): Segment => (segment.startsWith(':') ? { param: segment.slice(1) } : { literal: segment.toLowerCase() }));
    const dotless = formatSuffix !== undefined;
    if (formatSuffix) suffixed.push({ segments: formatSuffix === 'after-slash' ? [...segments, { literal: '' }] : segments, handler, dotless });
    const key = segments.map((segment) => ('literal' in segment ? segment.literal : ':')).join('/');
    const literal = segments.every((segment) => 'literal' in segment);
    // A literal path an earlier pattern also matches stays in order behind it, as Express would try them.
    const shadowed = patterns.some((route) => matchRoute(route, key.split('/')) !== null);
    if (literal && !shadowed) {
      if (!exact.has(key)) exact.set(key, handler);
    } else patterns.push({ segments, handler, dotless });
  }
  /** The first of `candidates` that `segments` match, served with its parameters (and the format suffix); false if none. */
  const serve = (candidates: readonly PatternRoute[], segments: readonly string[], format: string | undefined, ...[req, res, next]: Parameters<RequestHandler>) => {
    for (const route of candidates) {
      const params = matchRoute(route, segments);
      if (params === null) continue;
      try {
        for (const name in params) params[name] = decodeParam(params[name]!);
      } catch (error) {
        next(error);
        return true;
      }
      if (format !== undefined) params.format = format;
      req.params = params;
      void route.handler(req, res, next);
      return true;
    }
    return false;
  };
  const dispatch: RequestHandler = (req, res, next) => {
    const path = req.path;
    const handler = exact.get(withoutSlashes(path).toLowerCase());
    if (handler) return handler(req, res, next);
    const segments = segmentsOf(path);
    if (serve(patterns, segments, undefined, req, res, next)) return;
    const suffix = splitFormatSuffix(segments);
    if (suffix && serve(suffixed, suffix.segments, suffix.format, req, res, next)) return;
    next();
  };
  app.use(Object.assign(dispatch, { urlTable: table }));
}
