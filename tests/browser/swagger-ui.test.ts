// Swagger UI in a real browser (Debian's Chromium, driven by playwright-core), used as a
// person would: open /api/docs/, authorize (a JWT; a DRF token typed as `Token <key>`) or
// log in with a session through "Try it out", then run "Try it out" and see the user's own
// data come back. Every request the page makes must stay on this server. Screenshots are
// kept under test-artifacts/.
import { join } from 'node:path';
import { type BrowserContext, type Page, type Request } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { tokenLogin } from '../support/auth.js';
import { artifacts, launchBrowser, type TestBrowser } from '../support/browser.js';

describe.skipIf(!inject('chromiumAvailable'))('Swagger UI at /api/docs/', () => {
  let t: TestApp;
  let context: BrowserContext;
  let browser: TestBrowser;
  let page: Page;
  let pageErrors: string[];
  /** What the browser refused under the pages' Content-Security-Policy: nothing, or the page would be broken. */
  let cspViolations: string[];
  /** The requests the page sent to the API, as the server received them. */
  let sent: Request[];

  beforeAll(async () => {
    t = await createTestApp();
    browser = await launchBrowser();
    context = browser.context;
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  beforeEach(async () => {
    await context.clearCookies();
    page = await context.newPage();
    pageErrors = [];
    cspViolations = [];
    sent = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('request', (request) => sent.push(request));
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    const loaded = await page.goto(`${t.baseUrl}/api/docs/`);
    // The page runs under the CSP every HTML page has: scripts from this origin only.
    expect(loaded!.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect.poll(() => page.locator('.swagger-ui .info .title').textContent()).toContain('drf-express');
  });
  afterEach(async () => {
    await page.close();
    expect(browser.offHost).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(cspViolations).toEqual([]);
  });

  /** "Authorize" with `value` typed into the scheme's field. */
  async function authorize(scheme: string, value: string): Promise<void> {
    await page.locator('.auth-wrapper').getByRole('button', { name: 'Authorize' }).click();
    // Each scheme is its own form in the dialog, with its own buttons.
    const form = page.locator('.dialog-ux form', { hasText: scheme });
    await form.getByRole('textbox').fill(value);
    await form.getByRole('button', { name: 'Apply credentials' }).click();
    await form.getByRole('button', { name: 'Close' }).click();
  }

  /** "Try it out" on an operation (its element id), with a JSON body if given: the live response's status and body. */
  async function tryItOut(operationId: string, body?: object): Promise<{ status: string; body: unknown; curl: string }> {
    const operation = page.locator(`#${operationId}`);
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    if (body) await operation.locator('textarea.body-param__text').fill(JSON.stringify(body));
    await operation.getByRole('button', { name: 'Execute' }).click();
    const response = operation.locator('.live-responses-table .response');
    await expect.poll(() => response.locator('.response-col_status').textContent(), { timeout: 10_000 }).toMatch(/\d{3}/);
    await response.scrollIntoViewIfNeeded();
    const text = await response.locator('.response-col_description pre').first().textContent();
    return {
      status: (await response.locator('.response-col_status').textContent())!.trim(),
      body: JSON.parse(text!) as unknown,
      curl: (await operation.locator('.curl-command').textContent())!,
    };
  }

  const sentTo = (method: string, path: string) => sent.filter((r) => r.method() === method && new URL(r.url()).pathname === path);

  it('authorizes with a JWT and runs "Try it out" on GET /api/transactions/', async () => {
    const user = await t.createUser();
    const { access } = await t.login(user);
    const created = await t.http
      .post('/api/transactions/')
      .set('Authorization', `Bearer ${access}`)
      .send({ amount: '42.50', description: 'seen through Swagger UI' });
    expect(created.status).toBe(201);

    await authorize('jwtAuth', access);
    await page.screenshot({ path: join(artifacts, 'swagger-ui-authorized.png') });

    const result = await tryItOut('operations-transactions-api_transactions_list');
    expect(result.status).toBe('200');
    expect(result.body).toEqual({ count: 1, next: null, previous: null, results: [created.body] });
    expect(result.curl).toContain(`Authorization: Bearer ${access}`);
    // Without a csrftoken cookie there is nothing to copy.
    expect(await sentTo('GET', '/api/transactions/')[0]!.allHeaders()).not.toHaveProperty('x-csrftoken');
    await page.screenshot({ path: join(artifacts, 'swagger-ui-try-it-out.png') });
  }, 60_000);

  it('authorizes with a DRF token typed as `Token <key>` and runs "Try it out" on GET /api/profile/', async () => {
    const user = await t.createUser({ email: 'swagger@example.com' });
    const { key } = await tokenLogin(t, user);

    await authorize('tokenAuth', `Token ${key}`);
    const result = await tryItOut('operations-profile-api_profile_retrieve');
    expect(result.status).toBe('200');
    expect(result.body).toEqual({ username: user.username, email: 'swagger@example.com' });
    expect(result.curl).toContain(`Authorization: Token ${key}`);
  }, 60_000);

  it('logs in with a session through "Try it out", then writes with it: the page sends X-CSRFToken from the csrftoken cookie', async () => {
    const user = await t.createUser();
    const login = await tryItOut('operations-auth-api_auth_session_create', { username: user.username, password: user.password });
    expect(login.status).toBe('200');
    expect(login.body).toEqual({ detail: 'Logged in.', username: user.username });
    const cookies = Object.fromEntries((await context.cookies(t.baseUrl)).map((cookie) => [cookie.name, cookie]));
    expect(cookies.sessionid).toMatchObject({ httpOnly: true });
    expect(cookies.csrftoken).toMatchObject({ httpOnly: false });

    const created = await tryItOut('operations-posts-api_posts_create', { title: 'from Swagger UI', body: 'with a session' });
    expect(created.status).toBe('201');
    expect(created.body).toMatchObject({ title: 'from Swagger UI', owner: user.username });
    const [write] = sentTo('POST', '/api/posts/');
    expect(await write!.allHeaders()).toMatchObject({ 'x-csrftoken': cookies.csrftoken!.value });
    expect(await write!.allHeaders()).not.toHaveProperty('authorization');
    await page.screenshot({ path: join(artifacts, 'swagger-ui-session.png') });
  }, 60_000);
});
