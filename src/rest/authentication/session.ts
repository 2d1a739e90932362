// Django's sessions and DRF's SessionAuthentication for browser SPAs. Sessions live in the
// database (revocable, shared by every instance) under the digest of their key; the
// `sessionid` cookie is HttpOnly. Unsafe methods authenticated by session must come from
// this origin or a trusted one (Django 4's Origin check) and echo the `csrftoken` cookie in
// `X-CSRFToken` (double submit). Beyond Django, that token is an HMAC of the session key,
// so a cookie planted by a sibling subdomain cannot pass the check.
import { createHmac } from 'node:crypto';
import { PermissionDenied } from '../errors.js';
import { SAFE_METHODS } from '../views/api-view.js';
import { csrfCookieAge, deleteCookie, readCookie, setCookie, type SameSite } from './cookies.js';
import { digestOf, generateKey, sameSecret } from './keys.js';
import type { Authenticator, AuthUser, RequestContext, SecuritySchemeDocs } from '../types.js';

/**
 * drf-spectacular's name and scheme for SessionAuthentication. Swagger UI cannot set a cookie
 * (browsers forbid it), so a session comes from logging in on the page itself.
 */
export const sessionSecurityScheme: SecuritySchemeDocs = {
  name: 'cookieAuth',
  scheme: {
    type: 'apiKey',
    in: 'cookie',
    name: 'sessionid',
    description:
      'A browser session (the HttpOnly `sessionid` cookie); writes must also send the `csrftoken` cookie\'s value in X-CSRFToken. ' +
      'In Swagger UI, Authorize cannot set a cookie: log in with "Try it out" on the session login operation, then the browser ' +
      'sends the cookie by itself and the page adds X-CSRFToken.',
  },
};

export interface Session {
  digest: string;
  expiresAt: Date;
  user: AuthUser;
}

/** Django's database session backend (django_session), keyed by digest. */
export interface SessionStore {
  create(session: { digest: string; userId: number; expiresAt: Date }): Promise<void>;
  find(digest: string): Promise<Session | null>;
  delete(digest: string): Promise<void>;
  /** Django's clear_expired: deletes the sessions current() would find expired; how many there were. */
  deleteExpired(): Promise<number>;
}

export interface SessionSettings {
  /** Signs the CSRF tokens. */
  secretKey: string;
  /** Seconds from login (Django's SESSION_COOKIE_AGE, two weeks by default). */
  cookieAge: number;
  secureCookies: boolean;
  /** The cookies' SameSite attribute: Lax (Django's default), Strict, or None (cross-site; needs Secure). */
  sessionSameSite: SameSite;
  csrfSameSite: SameSite;
  /**
   * Django's CSRF_TRUSTED_ORIGINS: origins besides the request's own whose pages may write with a
   * session (`https://app.example.com`; `https://*.example.com` for every subdomain).
   */
  trustedOrigins: readonly string[];
}

/** Django's CsrfViewMiddleware._origin_verified: the request's own origin, an exact trusted one, or a trusted subdomain. */
function originCheck(trustedOrigins: readonly string[]): (ctx: RequestContext, origin: string) => boolean {
  const exact = new Set(trustedOrigins.filter((origin) => !origin.includes('://*.')));
  // `https://*.example.com` → scheme `https`, host suffix `.example.com` (port included, as Django compares netlocs).
  const subdomains = trustedOrigins
    .filter((origin) => origin.includes('://*.'))
    .map((origin) => {
      const [scheme, suffix] = origin.split('://*');
      return { scheme: `${scheme}:`, suffix: suffix! };
    });
  return (ctx, origin) => {
    if (origin === `${ctx.req.protocol}://${ctx.req.host}` || exact.has(origin)) return true;
    if (subdomains.length === 0) return false;
    let url: URL;
    try {
      url = new URL(origin);
    } catch {
      return false;
    }
    return subdomains.some(({ scheme, suffix }) => url.protocol === scheme && (url.host.endsWith(suffix) || url.host === suffix.slice(1)));
  };
}

const sessionCookie = 'sessionid';
const csrfCookie = 'csrftoken';
const csrfFailure = 'CSRF Failed: CSRF token missing or incorrect.';

export class SessionService {
  private readonly originVerified: (ctx: RequestContext, origin: string) => boolean;

  constructor(
    private readonly store: SessionStore,
    private readonly settings: SessionSettings,
  ) {
    this.originVerified = originCheck(settings.trustedOrigins);
  }

  /** The token the page must echo in X-CSRFToken: bound to the session, revealing nothing of its key. */
  private csrfTokenFor(sessionKey: string): string {
    return createHmac('sha256', this.settings.secretKey).update(`csrftoken:${sessionKey}`).digest('hex');
  }

  /**
   * The live session the request's cookie names, or null (absent, unknown, expired). A cookie
   * that names none is deleted in the answer, so the browser stops sending it (Django's
   * SessionMiddleware).
   */
  async current(ctx: RequestContext): Promise<{ key: string; session: Session } | null> {
    const key = readCookie(ctx.req, sessionCookie);
    if (key === undefined) return null;
    const session = key === '' ? undefined : await this.store.find(digestOf(key));
    if (!session || session.expiresAt.getTime() <= Date.now()) {
      deleteCookie(ctx.res, sessionCookie, this.settings.sessionSameSite);
      return null;
    }
    return { key, session };
  }

  /** Django's login(): always a new session key (no fixation), and a new CSRF token with it. */
  async login(ctx: RequestContext, user: AuthUser): Promise<void> {
    const previous = readCookie(ctx.req, sessionCookie);
    if (previous) await this.store.delete(digestOf(previous));
    const key = generateKey();
    const { cookieAge, secureCookies: secure, sessionSameSite, csrfSameSite } = this.settings;
    await this.store.create({ digest: digestOf(key), userId: user.id, expiresAt: new Date(Date.now() + cookieAge * 1000) });
    // Django's order (rotate_token's csrftoken, then the session middleware's sessionid) and its CSRF_COOKIE_AGE.
    setCookie(ctx.res, csrfCookie, this.csrfTokenFor(key), { httpOnly: false, secure, sameSite: csrfSameSite, maxAge: csrfCookieAge });
    setCookie(ctx.res, sessionCookie, key, { httpOnly: true, secure, sameSite: sessionSameSite, maxAge: cookieAge });
  }

  /**
   * Django's logout(): the session is deleted server-side, and the `sessionid` cookie only if the
   * request sent one. The `csrftoken` cookie stays, as in Django (this one names a dead session,
   * so it passes no check until a login replaces it).
   */
  async logout(ctx: RequestContext): Promise<void> {
    const key = readCookie(ctx.req, sessionCookie);
    if (key === undefined) return;
    if (key) await this.store.delete(digestOf(key));
    deleteCookie(ctx.res, sessionCookie, this.settings.sessionSameSite);
  }

  /**
   * Django 4's order: a request with an Origin header must come from this origin or a trusted
   * one; then both the `csrftoken` cookie and the request must carry this session's token (a
   * missing cookie gets the contract's one message too, where Django says "CSRF cookie not set.").
   * The request's token is read as Django's CsrfViewMiddleware reads it: a POST's form field
   * `csrfmiddlewaretoken` (an HTML form, as the browsable API's), else X-CSRFToken; other methods
   * have no form in Django, so only the header counts.
   */
  async enforceCsrf(ctx: RequestContext, sessionKey: string): Promise<void> {
    const origin = ctx.req.get('origin');
    if (origin !== undefined && !this.originVerified(ctx, origin)) {
      throw new PermissionDenied(`CSRF Failed: Origin checking failed - ${origin} does not match any trusted origins.`);
    }
    // Django refuses a missing cookie before it reads the body.
    const cookie = readCookie(ctx.req, csrfCookie);
    if (cookie === undefined) throw new PermissionDenied(csrfFailure);
    const expected = this.csrfTokenFor(sessionKey);
    const echoed = (ctx.method === 'POST' ? await formToken(ctx) : '') || (ctx.req.get('x-csrftoken') ?? '');
    if (!sameSecret(echoed, expected) || !sameSecret(cookie, expected)) throw new PermissionDenied(csrfFailure);
  }
}

const formMediaTypes = /^\s*(?:application\/x-www-form-urlencoded|multipart\/form-data)\s*(?:;|$)/i;

/**
 * A POST's `csrfmiddlewaretoken` form field, '' when there is none. Django reads it from
 * request.POST, which makes DRF parse the body whatever its type: a body it cannot parse is
 * answered (400, 415) before any CSRF verdict.
 */
async function formToken(ctx: RequestContext): Promise<string> {
  await ctx.loadData();
  const data = ctx.data();
  if (!formMediaTypes.test(ctx.req.get('content-type') ?? '')) return '';
  const token = (data as Record<string, unknown>).csrfmiddlewaretoken;
  return typeof token === 'string' ? token : '';
}

/**
 * DRF's SessionAuthentication: a request without a live session (or of an inactive user)
 * is simply not this scheme's; unsafe methods must pass the CSRF check (403 otherwise).
 * It has no WWW-Authenticate header, so views that list it first answer 403, not 401.
 */
export function sessionAuthentication(service: SessionService): Authenticator {
  return {
    securityScheme: sessionSecurityScheme,
    async authenticate(ctx) {
      // Whatever it finds, the answer now depends on the cookie: Django's SessionMiddleware adds
      // `Vary: Cookie` once the session is read, so shared caches keep one user's page from another.
      ctx.res.vary('Cookie');
      const current = await service.current(ctx);
      if (!current?.session.user.isActive) return null;
      if (!SAFE_METHODS.has(ctx.method)) await service.enforceCsrf(ctx, current.key);
      return { user: current.session.user, auth: current.session };
    },
  };
}
