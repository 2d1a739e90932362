// DRF's rest_framework.urls: the browsable API's session login and logout pages (Django's
// LoginView and LogoutView). The login form carries a CSRF token (double submit against the
// `csrftoken` cookie, 403 without it, as Django's CsrfViewMiddleware); it is throttled like
// every other login; a good login redirects to `next` when that is a path of this site.
import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { csrfCookieAge, readCookie, setCookie, type SameSite } from '../authentication/cookies.js';
import { sameSecret } from '../authentication/keys.js';
import type { SessionService } from '../authentication/session.js';
import { APIException, ParseError } from '../errors.js';
import { QueryParams } from '../http/urls.js';
import { decodeFormBody, parseQueryString } from '../parsers/form.js';
import { checkThrottles } from '../throttling/index.js';
import { ExpressRequestContext } from '../views/api-view.js';
import { html, type Html } from './html.js';
import { layout, type BrowsablePages } from './page.js';
import type { AuthUser, CredentialsChecker, Throttle } from '../types.js';

export interface LoginPagesOptions {
  sessions: SessionService;
  users: CredentialsChecker;
  /** Called after each login (Django's last_login). */
  onLogin?: (user: AuthUser) => Promise<void>;
  /** The project's throttles; the login counts against the `login` scope. */
  throttles: readonly Throttle[];
  /** The `csrftoken` cookie's attributes, as the session's own (SESSION_COOKIE_SECURE, CSRF_COOKIE_SAMESITE). */
  csrfCookie: { secure: boolean; sameSite: SameSite };
}

const badCredentials = 'Please enter a correct username and password. Note that both fields may be case-sensitive.';

/** Django's url_has_allowed_host_and_scheme for this site: a path, never `//host` or `/\host`. */
export function safeNext(next: unknown): string | undefined {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//')) return undefined;
  // eslint-disable-next-line no-control-regex
  return /[\\\u0000-\u001f\u007f]/.test(next) ? undefined : next;
}

function page(res: Response, pages: BrowsablePages, status: number, title: string, content: Html): void {
  res.status(status).setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'max-age=0, no-cache, no-store, must-revalidate, private');
  res.end(layout(pages, title, html`<div class="login">${content}</div>`));
}

/**
 * Django's request.POST: a form body read as QueryDict reads it, on POST only (a PUT's body is
 * not parsed); null past DATA_UPLOAD_MAX_NUMBER_FIELDS, which Django answers with its 400 page.
 */
function formBody(req: Request): Record<string, string> | null {
  const raw: unknown = req.body;
  const isForm = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase() === 'application/x-www-form-urlencoded';
  if (req.method !== 'POST' || !Buffer.isBuffer(raw) || !isForm) return {};
  try {
    return Object.fromEntries(parseQueryString(decodeFormBody(raw)));
  } catch (error) {
    if (error instanceof ParseError) return null;
    throw error;
  }
}

/** Methods Django's CsrfViewMiddleware lets through unchecked. */
const csrfSafeMethods = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * Django's CsrfViewMiddleware: the `csrftoken` cookie echoed by the POST form's
 * `csrfmiddlewaretoken` field or, failing that, by the X-CSRFToken header.
 */
function csrfVerified(req: Request, form: Record<string, string>): boolean {
  const cookie = readCookie(req, 'csrftoken') ?? '';
  const echoed = form.csrfmiddlewaretoken || req.get('x-csrftoken') || '';
  return cookie !== '' && sameSecret(echoed, cookie);
}

/** A class-based view's answer to OPTIONS (200) and to a method it has not (405): Allow, and no body. */
function bare(res: Response, status: number, allow: string): void {
  res.status(status).setHeader('Allow', allow);
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'max-age=0, no-cache, no-store, must-revalidate, private');
  res.end();
}

// Django's LoginView (a FormView: PUT posts the form too) and LogoutView.
const loginMethods = 'GET, POST, PUT, HEAD, OPTIONS';
const logoutMethods = 'GET, POST, HEAD, OPTIONS';

/** `[path, handler]` pairs to mount: the login page and the logout page. */
export function loginPages(pages: BrowsablePages, options: LoginPagesOptions): [string, RequestHandler][] {
  const { sessions, users, throttles, csrfCookie } = options;
  const pipelinePolicies = { authenticators: [], permissions: [], throttles };
  /** `next` in the query string: its last value, as QueryDict.get reads it. */
  const queryNext = (req: Request) => QueryParams.of(req).get('next') ?? '';

  /** The `csrftoken` cookie, set when the browser has none yet (an anonymous visitor's token). */
  const csrfToken = (req: Request, res: Response): string => {
    const existing = readCookie(req, 'csrftoken');
    if (existing) return existing;
    const token = randomBytes(32).toString('hex');
    setCookie(res, 'csrftoken', token, { ...csrfCookie, httpOnly: false, maxAge: csrfCookieAge });
    return token;
  };

  const loginForm = (res: Response, token: string, next: string, error?: string, username = '') =>
    page(
      res,
      pages,
      200,
      'Log in',
      html`<form action="${pages.loginPath}" method="post">
  <fieldset>
    <legend>${pages.title}</legend>
    <input type="hidden" name="csrfmiddlewaretoken" value="${token}">
    <input type="hidden" name="next" value="${next}">
    ${error ? html`<p class="alert" role="alert">${error}</p>` : ''}
    <div class="field"><label for="id_username">Username</label><input type="text" name="username" id="id_username" maxlength="150" autocapitalize="off" autocomplete="username" value="${username}" required autofocus></div>
    <div class="field"><label for="id_password">Password</label><input type="password" name="password" id="id_password" autocomplete="current-password" required></div>
    <div class="form-actions"><button class="btn" type="submit">Log in</button></div>
  </fieldset>
</form>`,
    );

  /**
   * The form, unless Django's CsrfViewMiddleware, which runs before the view and reads the form,
   * has answered: 400 for a form it cannot read, 403 for a write without the token.
   */
  const csrfCheckedForm = (req: Request, res: Response): Record<string, string> | null => {
    const form = formBody(req);
    if (form === null) {
      page(res, pages, 400, 'Bad Request', html`<h1>Bad Request (400)</h1>`);
      return null;
    }
    if (csrfSafeMethods.has(req.method) || csrfVerified(req, form)) return form;
    page(res, pages, 403, 'Forbidden', html`<h1>Forbidden (403)</h1><p>CSRF verification failed. Request aborted.</p>`);
    return null;
  };

  const login: RequestHandler = async (req, res, next) => {
    if (req.path !== '/') return next();
    const form = csrfCheckedForm(req, res);
    if (!form) return;
    if (req.method === 'GET' || req.method === 'HEAD') return loginForm(res, csrfToken(req, res), queryNext(req));
    if (req.method === 'OPTIONS') return bare(res, 200, loginMethods);
    if (req.method !== 'POST' && req.method !== 'PUT') return bare(res, 405, loginMethods);
    const cookie = readCookie(req, 'csrftoken')!;
    const ctx = new ExpressRequestContext(req, res, pipelinePolicies);
    ctx.throttleScope = 'login';
    try {
      await checkThrottles(ctx, throttles);
    } catch (error) {
      if (!(error instanceof APIException)) throw error;
      res.set(error.headers);
      return page(res, pages, error.status, 'Throttled', html`<p class="alert" role="alert">${error.message}</p>`);
    }
    const nextPath = form.next || queryNext(req);
    const user = form.username && form.password ? await users.checkCredentials(form.username, form.password) : null;
    if (!user) return loginForm(res, cookie, nextPath, badCredentials, form.username);
    await sessions.login(ctx, user);
    await options.onLogin?.(user);
    res.redirect(302, safeNext(nextPath) ?? pages.rootPath);
  };

  // Django 3.2's LogoutView logs out whatever the method (past the CSRF check), then redirects or answers it.
  const logout: RequestHandler = async (req, res, next) => {
    if (req.path !== '/') return next();
    const form = csrfCheckedForm(req, res);
    if (!form) return;
    await sessions.logout(new ExpressRequestContext(req, res, pipelinePolicies));
    // LogoutView.get_next_page: `next` from the POST body when it has one, else from the query string.
    const target = safeNext(form.next ?? queryNext(req));
    if (target) return res.redirect(302, target);
    if (req.method === 'OPTIONS') return bare(res, 200, logoutMethods);
    if (!['GET', 'HEAD', 'POST'].includes(req.method)) return bare(res, 405, logoutMethods);
    page(res, pages, 200, 'Logged out', html`<h1>Logged out</h1><p><a href="${pages.loginPath}">Log in again</a></p>`);
  };

  return [
    [pages.loginPath, login],
    [pages.logoutPath, logout],
  ];
}
