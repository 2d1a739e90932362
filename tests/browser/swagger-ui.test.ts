// Swagger UI in a real browser (Debian's Chromium, driven by playwright-core), used as a
// person would: open /api/docs/, authorize with a JWT, "Try it out" on GET /api/transactions/,
// and see the user's own transaction come back. Every request the page makes must stay on
// this server. Screenshots are kept under test-artifacts/.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/config.js';
import { createTestApp, type TestApp } from '../support/app.js';

const chromiumPath = '/usr/bin/chromium';
const artifacts = join(projectRoot, 'test-artifacts');

describe('Swagger UI at /api/docs/', () => {
  let t: TestApp;
  let context: BrowserContext;
  let profile: string;
  beforeAll(async () => {
    if (!existsSync(chromiumPath)) throw new Error(`Chromium is missing at ${chromiumPath}: apt-get install chromium (.ci/run does)`);
    t = await createTestApp();
    profile = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: chromiumPath,
      headless: true,
      viewport: { width: 1280, height: 900 },
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await context?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
    await t?.close();
  });

  it('authorizes with a JWT and runs "Try it out" on GET /api/transactions/', async () => {
    const user = await t.createUser();
    const { access } = await t.login(user);
    const created = await t.http
      .post('/api/transactions/')
      .set('Authorization', `Bearer ${access}`)
      .send({ amount: '42.50', description: 'seen through Swagger UI' });
    expect(created.status).toBe(201);

    // Nothing may leave this server: requests to any other host are refused and recorded.
    const offHost: string[] = [];
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      offHost.push(url.href);
      return route.abort();
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));

    await page.goto(`${t.baseUrl}/api/docs/`);
    await expect.poll(() => page.locator('.swagger-ui .info .title').textContent()).toContain('drf-express');

    await page.locator('.auth-wrapper').getByRole('button', { name: 'Authorize' }).click();
    await page.locator('.auth-container', { hasText: 'jwtAuth' }).getByRole('textbox').fill(access);
    await page.getByRole('button', { name: 'Apply credentials' }).click();
    await page.getByRole('button', { name: 'Close' }).click();
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'swagger-ui-authorized.png') });

    const operation = page.locator('#operations-transactions-api_transactions_list');
    await operation.locator('.opblock-summary').click();
    await operation.getByRole('button', { name: 'Try it out' }).click();
    await operation.getByRole('button', { name: 'Execute' }).click();

    const response = operation.locator('.live-responses-table .response');
    await expect.poll(() => response.locator('.response-col_status').textContent(), { timeout: 10_000 }).toContain('200');
    const body = await response.locator('.response-col_description pre').first().textContent();
    expect(JSON.parse(body!)).toEqual({ count: 1, next: null, previous: null, results: [created.body] });
    expect(await operation.locator('.curl-command').textContent()).toContain(`Authorization: Bearer ${access}`);

    await response.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts, 'swagger-ui-try-it-out.png') });

    expect(offHost).toEqual([]);
    expect(pageErrors).toEqual([]);
  }, 60_000);
});
