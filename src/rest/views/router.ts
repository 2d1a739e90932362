// DRF's DefaultRouter: viewsets registered under a prefix get a list route and a
// detail route, and the root lists every registered resource with its absolute URL. Every
// route of a router also answers with a format suffix (`/api/posts.json`, DRF's
// format_suffix_patterns), which chooses the renderer as `?format=` does.
// urls() is the route table (DRF's router.urls): the app mounts it, and the OpenAPI
// document is derived from it.
import type { IRouter, RequestHandler } from 'express';
import { z } from 'zod';
import { origin, QueryParams } from '../http/urls.js';
import type { ViewSet } from './viewset.js';
import { toRequestHandler } from './api-view.js';
import { formatSuffixOf, preservedFormatQuery } from '../renderers/negotiation.js';
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
        const query = preservedFormatQuery(QueryParams.of(req));
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

interface PatternRoute<T> {
  segments: readonly Segment[];
  value: T;
  /** A router's parameters take no dot (DRF's lookup_value_regex `[^/.]+`): `5.json` is 5 with a format suffix. */
  dotless: boolean;
}

/** What a path resolves to: the route's value, its parameters as they stand in the path, and its format suffix. */
export interface Resolved<T> {
  value: T;
  params: Record<string, string>;
  format?: string;
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
function matchRoute(route: PatternRoute<unknown>, segments: readonly string[]): Record<string, string> | null {
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
 * Django's resolve() over a URL table: Express's matching (case-insensitive, an optional trailing
 * slash, the first route registered wins) by lookup rather than by trying every route in turn, and
 * DRF's format suffixes tried last. `value` picks what each route resolves to.
 */
export function urlResolver<T>(routes: readonly Route[], value: (route: Route) => T): (path: string) => Resolved<T> | null {
  const exact = new Map<string, T>();
  const patterns: PatternRoute<T>[] = [];
  /** The routes that take a format suffix, each as the path it has without its format (`/api/posts`, `/api/`). */
  const suffixed: PatternRoute<T>[] = [];
  for (const route of routes) {
    const [path, , formatSuffix] = route;
    const routeValue = value(route);
    const segments = segmentsOf(path).map((segment): Segment => (segment.startsWith(':') ? { param: segment.slice(1) } : { literal: segment.toLowerCase() }));
    const dotless = formatSuffix !== undefined;
    if (formatSuffix) suffixed.push({ segments: formatSuffix === 'after-slash' ? [...segments, { literal: '' }] : segments, value: routeValue, dotless });
    const key = segments.map((segment) => ('literal' in segment ? segment.literal : ':')).join('/');
    const literal = segments.every((segment) => 'literal' in segment);
    // A literal path an earlier pattern also matches stays in order behind it, as Express would try them.
    const shadowed = patterns.some((pattern) => matchRoute(pattern, key.split('/')) !== null);
    if (literal && !shadowed) {
      if (!exact.has(key)) exact.set(key, routeValue);
    } else patterns.push({ segments, value: routeValue, dotless });
  }
  const first = (candidates: readonly PatternRoute<T>[], segments: readonly string[]): Resolved<T> | null => {
    for (const route of candidates) {
      const params = matchRoute(route, segments);
      if (params !== null) return { value: route.value, params };
    }
    return null;
  };
  return (path) => {
    const literal = exact.get(withoutSlashes(path).toLowerCase());
    if (literal !== undefined) return { value: literal, params: {} };
    const segments = segmentsOf(path);
    const resolved = first(patterns, segments);
    if (resolved) return resolved;
    const suffix = splitFormatSuffix(segments);
    const suffixedRoute = suffix && first(suffixed, suffix.segments);
    return suffixedRoute ? { ...suffixedRoute, format: suffix.format } : null;
  };
}

/** Mounts the URL table as one middleware that resolves a request's view. Every method reaches the view, which answers 405 itself for the ones it lacks. */
export function mountRoutes(app: IRouter, routes: readonly Route[], defaults: Policies): void {
  const table: MountedRoute[] = [];
  const resolve = urlResolver(routes, ([path, view]) => {
    const handler = toRequestHandler(view, defaults);
    table.push({ path, methods: handler.methods });
    return handler;
  });
  const dispatch: RequestHandler = (req, res, next) => {
    const resolved = resolve(req.path);
    if (!resolved) return next();
    const { value: handler, params, format } = resolved;
    try {
      for (const name in params) params[name] = decodeParam(params[name]!);
    } catch (error) {
      return next(error);
    }
    if (format !== undefined) params.format = format;
    req.params = params;
    void handler(req, res, next);
  };
  app.use(Object.assign(dispatch, { urlTable: table }));
}
