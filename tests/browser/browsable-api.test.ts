// The browsable API in a real browser (Debian's Chromium, driven by playwright-core), used as a
// person would: open /api/posts/, log in through the login page, create a post with the page's
// HTML form, see it in the list, log out. Nothing may be requested from another host, and the
// page runs no script error. ReDoc renders the document from local assets. Screenshots are kept
// under test-artifacts/.
import { join } from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { artifacts, launchBrowser, type TestBrowser } from '../support/browser.js';
import { countRows } from '../support/databases.js';


describe.skipIf(!inject('chromiumAvailable'))('the browsable API in a browser', () => {
  let t: TestApp;
  let context: BrowserContext;
  let browser: TestBrowser;
  let page: Page;
  let pageErrors: string[];

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
    page.on('pageerror', (error) => pageErrors.push(error.message));
  });
  afterEach(async () => {
    await page.close();
    expect(browser.offHost, browser.offHost.join('\n')).toEqual([]);
    expect(pageErrors, pageErrors.join('\n')).toEqual([]);
  });

  it('logs in, creates a post with the HTML form, sees it in the list, logs out', async () => {
    const user = await t.createUser();
    await t.http.post('/api/posts/').set(await t.bearer(user)).send({ title: 'Already there', body: 'An earlier post' });

    await page.goto(`${t.baseUrl}/api/posts/`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Post List');
    await expect.poll(() => page.locator('pre.response').textContent()).toContain('"title": "Already there"');
    expect(await page.locator('form.html-form').count()).toBe(0);
    await page.screenshot({ path: join(artifacts, 'browsable-api-1-anonymous.png'), fullPage: true });

    await page.getByRole('link', { name: 'Log in' }).click();
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('Please enter a correct username and password.');
    await page.screenshot({ path: join(artifacts, 'browsable-api-2-login-error.png'), fullPage: true });
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${t.baseUrl}/api/posts/`);
    await expect.poll(() => page.locator('.navbar .username').textContent()).toBe(user.username);

    const form = page.locator('form.html-form');
    await form.getByLabel('Title').fill('Written in Chromium');
    await form.getByLabel('Body').fill('Sent by the browsable API <b>form</b>');
    await page.screenshot({ path: join(artifacts, 'browsable-api-3-form.png'), fullPage: true });
    await form.getByRole('button', { name: 'POST' }).click();
    await expect.poll(() => page.locator('pre.response').textContent()).toContain('HTTP 201 Created');
    expect(await page.locator('pre.response').textContent()).toContain('"body": "Sent by the browsable API <b>form</b>"');
    await page.screenshot({ path: join(artifacts, 'browsable-api-4-created.png'), fullPage: true });

    await page.getByRole('link', { name: 'GET', exact: true }).click();
    await expect.poll(() => page.locator('pre.response').textContent()).toContain('"title": "Written in Chromium"');
    expect(await countRows(t.db, 'posts_post', { owner_id: user.id, title: 'Written in Chromium' })).toBe(1);

    await page.getByRole('link', { name: 'Log out' }).click();
    await page.waitForURL(`${t.baseUrl}/api/posts/`);
    await expect.poll(() => page.getByRole('link', { name: 'Log in' }).count()).toBe(1);
    expect(await page.locator('form.html-form').count()).toBe(0);
    await page.screenshot({ path: join(artifacts, 'browsable-api-5-logged-out.png'), fullPage: true });
  });

  it('changes an object with the PUT form (sent by the page script with the CSRF token)', async () => {
    const user = await t.createUser();
    const post = await t.http.post('/api/posts/').set(await t.bearer(user)).send({ title: 'Before', body: 'text' });
    await page.goto(`${t.baseUrl}/api-auth/login/?next=/api/posts/${post.body.id}/`);
    await page.getByLabel('Username').fill(user.username);
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL(`${t.baseUrl}/api/posts/${post.body.id}/`);
    const form = page.locator('form.html-form');
    await form.getByLabel('Title').fill('After');
    await form.getByRole('button', { name: 'PUT' }).click();
    await expect.poll(() => page.locator('pre.response').textContent()).toContain('"title": "After"');
    expect(await page.locator('pre.response').textContent()).toContain('HTTP 200 OK');
    await page.screenshot({ path: join(artifacts, 'browsable-api-6-put.png'), fullPage: true });
    expect((await t.db.kysely.selectFrom('posts_post').select('title').where('id', '=', post.body.id).executeTakeFirstOrThrow()).title).toBe('After');
  });

  it('shows ReDoc from local assets', async () => {
    await page.goto(`${t.baseUrl}/api/redoc/`);
    await expect.poll(() => page.locator('h1').first().textContent(), { timeout: 30_000 }).toContain('drf-express');
    await expect.poll(() => page.getByText('Create a post').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(artifacts, 'redoc.png') });
  });
});
