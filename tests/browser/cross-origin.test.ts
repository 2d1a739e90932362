// An SPA on another origin calling the API, in a real browser (Debian's Chromium): pages are
// served on their own ports, the API on another, and each page's script calls the API with
// fetch() as a single-page app does, so the browser's own CORS and cookie rules decide.
//
// Hosts, chosen on purpose: every page and the API are on `localhost`, on different ports.
// Different ports are different *origins* (so CORS applies and Origin is sent) but the same
// *site* (a site ignores the port), so the SameSite=Lax session cookie goes with the SPA's
// credentialed requests, and the page can read the API's csrftoken cookie (cookies ignore
// ports too). An SPA on another site (127.0.0.1 vs localhost) would need SameSite=None,
// which needs Secure cookies, so HTTPS: the HTTP tests cover that configuration.
//   - the SPA (CORS-allowed and CSRF-trusted): logs in with a session, reads, writes with
//     X-CSRFToken; and with a JWT;
//   - a page CORS allows but CSRF_TRUSTED_ORIGINS does not: can read, its session writes are refused;
//   - a page on an origin CORS does not allow: the browser refuses to hand it any answer.
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createTestApp, testConfig, type TestApp } from '../support/app.js';
import { chromiumPath } from '../support/global-setup.js';
import { countRows } from '../support/databases.js';

/** The page's cookies as its script sees them (the tests are compiled without the DOM library). */
const pageCookies = () => (globalThis as unknown as { document: { cookie: string } }).document.cookie;

/** A static page server: one empty HTML page, as an SPA's index.html. */
async function pageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><head><title>SPA</title></head><body><h1>SPA</h1></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://localhost:${(server.address() as AddressInfo).port}` };
}

interface Answer {
  status: number;
  body: unknown;
}

describe.skipIf(!inject('chromiumAvailable'))('an SPA on another origin, in Chromium', () => {
  let t: TestApp;
  let api: string;
  let spa: Awaited<ReturnType<typeof pageServer>>;
  let untrusted: Awaited<ReturnType<typeof pageServer>>;
  let foreign: Awaited<ReturnType<typeof pageServer>>;
  let context: BrowserContext;
  let profile: string;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    [spa, untrusted, foreign] = await Promise.all([pageServer(), pageServer(), pageServer()]);
    t = await createTestApp({
      cors: { allowedOrigins: [spa.origin, untrusted.origin], allowCredentials: true },
      session: { ...testConfig().session, trustedOrigins: [spa.origin] },
    });
    api = t.baseUrl.replace('127.0.0.1', 'localhost');
    profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // No context.route() here: with request interception Chromium skips CORS preflights, which are under test.
  });
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await Promise.all([spa, untrusted, foreign].map((s) => s && new Promise((resolve) => s.server.close(resolve))));
    await t?.close();
  });

  beforeEach(async () => {
    await context.clearCookies();
    pageErrors = [];
  });
  afterEach(async () => {
    await page?.close();
    expect(pageErrors).toEqual([]);
  });

  async function open(origin: string): Promise<void> {
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Nothing leaves this machine: every request the page makes is to localhost.
    page.on('request', (request) => {
      if (new URL(request.url()).hostname !== 'localhost') pageErrors.push(`request to another host: ${request.url()}`);
    });
    await page.goto(`${origin}/`);
  }

  /** fetch() from the page: the answer, or the error the browser raised instead (CORS refusal). */
  function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: unknown; credentials?: 'include' | 'omit' } = {}) {
    return page.evaluate(
      async ({ url, init }) => {
        const csrf = /(?:^|;\s*)csrftoken=([^;]*)/.exec((globalThis as unknown as { document: { cookie: string } }).document.cookie)?.[1];
        const headers: Record<string, string> = { ...init.headers };
        if (headers['X-CSRFToken'] === 'from-cookie') headers['X-CSRFToken'] = decodeURIComponent(csrf ?? '');
        if (init.body !== undefined) headers['Content-Type'] = 'application/json';
        try {
          const response = await fetch(url, {
            method: init.method ?? 'GET',
            headers,
            credentials: init.credentials ?? 'include',
            ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
          });
          const text = await response.text();
          return { status: response.status, body: text ? (JSON.parse(text) as unknown) : null } as Answer;
        } catch (error) {
          return { error: (error as Error).name };
        }
      },
      { url: `${api}${path}`, init },
    );
  }

  it('logs in with a session, reads, and writes with X-CSRFToken from the csrftoken cookie', async () => {
    const user = await t.createUser();
    await open(spa.origin);
    expect(await call('/api/auth/session/', { method: 'POST', body: { username: user.username, password: user.password } })).toEqual({
      status: 200,
      body: { detail: 'Logged in.', username: user.username },
    });
    // The API's cookies are this page's too (same host, ports do not matter to cookies).
    expect(await page.evaluate(pageCookies)).toMatch(/csrftoken=/);
    expect(await page.evaluate(pageCookies)).not.toMatch(/sessionid=/); // HttpOnly

    expect(await call('/api/dashboard/')).toEqual({ status: 200, body: { message: `Hello ${user.username}, welcome to your dashboard` } });
    const written = await call('/api/posts/', { method: 'POST', headers: { 'X-CSRFToken': 'from-cookie' }, body: { title: 'from the SPA', body: 'cross-origin' } });
    expect(written).toMatchObject({ status: 201, body: { title: 'from the SPA', owner: user.username } });
    // Without the token the write is refused, and the page can read why.
    expect(await call('/api/posts/', { method: 'POST', body: { title: 'no token', body: 'x' } })).toEqual({
      status: 403,
      body: { detail: 'CSRF Failed: CSRF token missing or incorrect.' },
    });
    expect(await call('/api/auth/session/', { method: 'DELETE', headers: { 'X-CSRFToken': 'from-cookie' } })).toEqual({ status: 204, body: null });
    expect(await call('/api/dashboard/')).toMatchObject({ status: 403 });
  }, 60_000);

  it('obtains a JWT, reads and writes with it (no cookie involved)', async () => {
    const user = await t.createUser();
    await open(spa.origin);
    const pair = await call('/api/token/', { method: 'POST', body: { username: user.username, password: user.password }, credentials: 'omit' });
    expect(pair).toMatchObject({ status: 200, body: { access: expect.any(String), refresh: expect.any(String) } });
    const authorization = { Authorization: `Bearer ${((pair as Answer).body as { access: string }).access}` };
    const created = await call('/api/transactions/', { method: 'POST', headers: authorization, body: { amount: '12.50', description: 'from the SPA' }, credentials: 'omit' });
    expect(created).toMatchObject({ status: 201, body: { amount: '12.50', description: 'from the SPA' } });
    expect(await call('/api/transactions/', { headers: authorization, credentials: 'omit' })).toMatchObject({ status: 200, body: { count: 1 } });
    expect(await call('/api/transactions/', { credentials: 'omit' })).toMatchObject({ status: 401 });
  }, 60_000);

  it('a page CORS allows but CSRF_TRUSTED_ORIGINS does not name can read, but not write with a session', async () => {
    const user = await t.createUser();
    await open(untrusted.origin);
    expect(await call('/api/auth/session/', { method: 'POST', body: { username: user.username, password: user.password } })).toMatchObject({ status: 200 });
    expect(await call('/api/dashboard/')).toMatchObject({ status: 200 });
    expect(await call('/api/posts/', { method: 'POST', headers: { 'X-CSRFToken': 'from-cookie' }, body: { title: 'untrusted', body: 'x' } })).toEqual({
      status: 403,
      body: { detail: `CSRF Failed: Origin checking failed - ${untrusted.origin} does not match any trusted origins.` },
    });
    expect(await countRows(t.db, 'posts_post', { title: 'untrusted' })).toBe(0);
  }, 60_000);

  it('a page on an origin CORS does not allow gets no answer at all, and its writes never run', async () => {
    const user = await t.createUser();
    await open(foreign.origin);
    const logged = t.logs.length;
    expect(await call('/api/posts/', { credentials: 'omit' })).toEqual({ error: 'TypeError' });
    expect(await call('/api/token/', { method: 'POST', body: { username: user.username, password: user.password }, credentials: 'omit' })).toEqual({ error: 'TypeError' });
    // The JSON POST needs a preflight, which the browser refuses: the view never ran.
    expect(await call('/api/auth/session/', { method: 'POST', body: { username: user.username, password: user.password } })).toEqual({ error: 'TypeError' });
    expect(await countRows(t.db, 'django_session', { user_id: user.id })).toBe(0);
    // What reached the server: the two preflights (answered without CORS headers) and the simple GET, whose answer the page never saw.
    expect(t.logs.slice(logged).map((line) => line.msg)).toEqual([
      'GET /api/posts/ 200',
      'OPTIONS /api/token/ 200',
      'OPTIONS /api/auth/session/ 200',
    ]);
  }, 60_000);
});
