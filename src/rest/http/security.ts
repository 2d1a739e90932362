// What Django's middleware does around every view: refuse hosts not in ALLOWED_HOSTS,
// add the security headers (SecurityMiddleware, XFrameOptionsMiddleware, with helmet), and
// answer CORS as django-cors-headers does. Each is one
// middleware built once; per request they do a lookup and set precomputed headers.
import type { IncomingMessage } from 'node:http';
import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { sendJson } from '../errors.js';

type Header = readonly [name: string, value: string];

/** A middleware that only sets headers, seen as a method so helmet's own signature fits it. */
interface HeaderMiddleware {
  run(req: Partial<IncomingMessage>, res: HeaderSink, next: () => void): void;
}
interface HeaderSink {
  getHeader(name: string): number | string | string[] | undefined;
  setHeader(name: string, value: number | string | readonly string[]): void;
  removeHeader(name: string): void;
  end(): void;
}

/**
 * The headers `middleware` sets on a response to `req` (a stand-in with only what it reads),
 * recorded once when the app is built: helmet's answers depend on the configuration
 * and on nothing of the request, so each request replays them instead of running the library.
 */
function headersSetBy(middleware: HeaderMiddleware, req: Partial<IncomingMessage>): Header[] {
  const headers = new Map<string, Header>();
  const sink: HeaderSink = {
    getHeader: (name) => headers.get(name.toLowerCase())?.[1],
    setHeader: (name, value) => void headers.set(name.toLowerCase(), [name, String(value)]),
    removeHeader: (name) => void headers.delete(name.toLowerCase()),
    end: () => {
      throw new Error('A header middleware answered the request itself.');
    },
  };
  let passedOn = false;
  middleware.run(req, sink, () => (passedOn = true));
  if (!passedOn) throw new Error('A header middleware did not pass the request on synchronously.');
  return [...headers.values()];
}

/** Sets recorded headers; Vary is added to (another middleware may have set it), not replaced. */
function replay(res: Response, headers: readonly Header[]): void {
  for (const [name, value] of headers) {
    if (name === 'Vary') res.vary(value);
    else res.setHeader(name, value);
  }
}

/** Django's host_validation_re: a name or IPv4 address, or a bracketed IPv6 address, and a port. */
const hostHeader = /^([a-z0-9.-]+|\[[a-f0-9]*:[a-f0-9.:]+\])(:[0-9]+)?$/;

/** Django's split_domain_port: the lowercased domain without port or trailing dot; '' when malformed. */
export function domainOf(host: string): string {
  const lower = host.toLowerCase();
  if (!hostHeader.test(lower)) return '';
  if (lower.endsWith(']')) return lower;
  const colon = lower.lastIndexOf(':');
  const domain = colon === -1 ? lower : lower.slice(0, colon);
  return domain.endsWith('.') ? domain.slice(0, -1) : domain;
}

/** Django's validate_host, compiled once: `*` allows any host, `.example.com` it and its subdomains. */
export function hostValidator(allowedHosts: readonly string[]): (domain: string) => boolean {
  // Django lowercases each pattern (is_same_domain), as domainOf lowercases the host.
  const patterns = allowedHosts.map((host) => host.toLowerCase());
  if (patterns.includes('*')) return (domain) => domain !== '';
  const exact = new Set(patterns.map((host) => (host.startsWith('.') ? host.slice(1) : host)));
  const suffixes = patterns.filter((host) => host.startsWith('.'));
  return (domain) => domain !== '' && (exact.has(domain) || suffixes.some((suffix) => domain.endsWith(suffix)));
}

export interface AllowedHostsOptions {
  /** Django's ALLOWED_HOSTS. */
  allowedHosts: readonly string[];
  /** Paths answered whatever the host (health probes, which load balancers send to an address). */
  exemptPaths?: readonly string[];
  /** Told of each refused host. */
  onRefused?: (host: string) => void;
}

/**
 * Refuses a request whose host is not allowed with 400 (Django raises DisallowedHost). The host is
 * Express's req.host: the Host header, or X-Forwarded-Host when the peer is a trusted proxy.
 */
export function allowedHosts({ allowedHosts, exemptPaths = [], onRefused }: AllowedHostsOptions): RequestHandler {
  const allowed = hostValidator(allowedHosts);
  // Compared without the trailing slash, as routes match either way.
  const withoutSlash = (path: string) => (path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
  const exempt = new Set(exemptPaths.map(withoutSlash));
  return (req, res, next) => {
    const host = req.host ?? '';
    if (allowed(domainOf(host)) || exempt.has(withoutSlash(req.path))) return next();
    onRefused?.(host);
    sendJson(res, 400, { detail: 'Invalid Host header.' });
  };
}

/** Django's SECURE_HSTS_SECONDS / _INCLUDE_SUBDOMAINS / _PRELOAD. */
export interface HstsOptions {
  maxAge: number;
  includeSubDomains: boolean;
  preload: boolean;
}

/**
 * The policy of every HTML page (Swagger UI, and any page served later): scripts only from this
 * origin, styles from it and inline (Swagger UI and ReDoc style elements from script), images and
 * fonts from it or data: URLs, workers from it or blob: (ReDoc), nothing framed, nothing framing it.
 * JSON responses carry it too: a browser opening one directly then runs nothing.
 */
const contentSecurityPolicy = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:'],
    fontSrc: ["'self'", 'data:'],
    connectSrc: ["'self'"],
    workerSrc: ["'self'", 'blob:'],
    objectSrc: ["'none'"],
    baseUri: ["'self'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
};

/**
 * Django's default security headers (nosniff, X-Frame-Options: DENY, Referrer-Policy:
 * same-origin, Cross-Origin-Opener-Policy: same-origin), the CSP above, and HSTS on HTTPS
 * requests when configured (Django's SecurityMiddleware sends it only on secure requests).
 * helmet's other headers are left off, as Django sends none of them.
 */
export function securityHeaders(hsts: HstsOptions | null): RequestHandler {
  const headers: RequestHandler = helmet({
    contentSecurityPolicy,
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: false,
    originAgentCluster: false,
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: false,
    xContentTypeOptions: true,
    xDnsPrefetchControl: false,
    xDownloadOptions: false,
    xFrameOptions: { action: 'deny' },
    xPermittedCrossDomainPolicies: false,
    xXssProtection: false,
  });
  const always = headersSetBy({ run: headers }, {});
  const secure = hsts ? [...always, ...headersSetBy({ run: helmet.strictTransportSecurity(hsts) }, {})] : always;
  return (req, res, next) => {
    replay(res, hsts && req.secure ? secure : always);
    next();
  };
}

/** django-cors-headers' CORS_ALLOWED_ORIGINS and CORS_ALLOW_CREDENTIALS. */
export interface CorsOptions {
  allowedOrigins: readonly string[];
  allowCredentials: boolean;
}

/** django-cors-headers' defaults (CORS_ALLOW_METHODS, CORS_ALLOW_HEADERS, CORS_PREFLIGHT_MAX_AGE), and X-Request-ID. */
const allowedMethods = ['DELETE', 'GET', 'OPTIONS', 'PATCH', 'POST', 'PUT'];
const allowedHeaders = ['accept', 'authorization', 'content-type', 'user-agent', 'x-csrftoken', 'x-requested-with', 'x-request-id'];

/**
 * What django-cors-headers compares of an origin (Python's urlsplit): the scheme, lowercased,
 * and the netloc (host and port, as written); a path, query or fragment is ignored.
 */
function schemeAndNetloc(url: string): string {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  const rest = scheme ? url.slice(scheme[0].length) : url;
  const netloc = rest.startsWith('//') ? /^[^/?#]*/.exec(rest.slice(2))![0] : '';
  return `${scheme ? scheme[1]!.toLowerCase() : ''}://${netloc}`;
}

/**
 * CORS as django-cors-headers answers it. Every response says `Vary: Origin`. A response to an
 * allowed origin (same scheme and host:port as one of CORS_ALLOWED_ORIGINS, or `null` if listed)
 * carries Access-Control-Allow-Origin, -Credentials when configured, and for OPTIONS the allowed
 * methods, headers and max age; to any other origin, or without one, no other CORS header. A
 * preflight (OPTIONS with Access-Control-Request-Method) is answered here with 200 and no body,
 * before any authentication, whatever the origin (the browser decides from the headers). Any
 * other OPTIONS goes on to the view (DRF's metadata).
 */
export function crossOrigin({ allowedOrigins, allowCredentials }: CorsOptions): RequestHandler {
  const allowed = new Set(allowedOrigins.filter((origin) => origin !== 'null').map(schemeAndNetloc));
  const nullAllowed = allowedOrigins.includes('null');
  const isAllowed = (origin: string) => (origin === 'null' ? nullAllowed : allowed.has(schemeAndNetloc(origin)));
  const credentials: Header[] = allowCredentials ? [['Access-Control-Allow-Credentials', 'true']] : [];
  const options: Header[] = [
    ['Access-Control-Allow-Headers', allowedHeaders.join(', ')],
    ['Access-Control-Allow-Methods', allowedMethods.join(', ')],
    ['Access-Control-Max-Age', '86400'],
  ];
  return (req, res, next) => {
    res.vary('Origin');
    const { origin } = req.headers;
    if (origin && isAllowed(origin)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      replay(res, credentials);
      if (req.method === 'OPTIONS') replay(res, options);
    }
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined) {
      res.status(200).set('Content-Length', '0').end();
      return;
    }
    next();
  };
}
