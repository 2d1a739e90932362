// The browsable API's pages and its session login (DRF's rest_framework.urls), over HTTP:
// what the page shows, who gets a form, the login's CSRF check and redirects, a form submission.
import type { Response } from 'supertest';
import { expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { describeWithDatabase } from '../support/suite.js';
import { countRows } from '../support/databases.js';

const html = 'text/html';

/** `name=value` pairs of the response's Set-Cookie headers. */
function cookiesOf(response: Response): Record<string, string> {
  const header = response.headers['set-cookie'] as unknown as string[] | undefined;
  return Object.fromEntries((header ?? []).map((cookie) => cookie.split(';')[0]!.split('=') as [string, string]));
}
const cookieHeader = (cookies: Record<string, string>) =>
  Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');

describeWithDatabase('the browsable API', () => {
  const t = useTestApp();

  /** Logs in through /api-auth/login/ as a browser does; the cookies of the session. */
  async function browserLogin(user: { username: string; password: string }): Promise<Record<string, string>> {
    const form = await t.unchecked.get('/api-auth/login/?next=/api/posts/');
    const anonymous = cookiesOf(form);
    const token = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(form.text)![1]!;
    const login = await t.unchecked
      .post('/api-auth/login/')
      .set('Cookie', cookieHeader(anonymous))
      .type('form')
      .send({ csrfmiddlewaretoken: token, username: user.username, password: user.password, next: '/api/posts/' });
    expect(login.status).toBe(302);
    expect(login.headers.location).toBe('/api/posts/');
    return cookiesOf(login);
  }

  /** The login form sent by `method` with the CSRF token in X-CSRFToken (the cookies of a visit to the page). */
  const headerTokenLogin = (method: 'post' | 'put', cookies: Record<string, string>, user: { username: string; password: string }) =>
    t.unchecked[method]('/api-auth/login/')
      .set('Cookie', cookieHeader(cookies))
      .set('X-CSRFToken', cookies.csrftoken!)
      .type('form')
      .send({ username: user.username, password: user.password });

  it('shows the response with its status line, headers, links and pagination, everything escaped', async () => {
    const user = await t.createUser();
    const auth = await t.bearer(user);
    for (let i = 0; i < 11; i++) await t.http.post('/api/posts/').set(auth).send({ title: `<script>alert(${i})</script>`, body: 'a & b' });
    const page = await t.unchecked.get('/api/posts/').set('Accept', html);
    expect(page.text).toContain('<b>HTTP 200 OK</b>');
    expect(page.text).toContain('<b>Allow:</b> GET, POST, HEAD, OPTIONS');
    expect(page.text).toContain('<b>Content-Type:</b> application/json');
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).toContain('&lt;script&gt;alert(10)&lt;/script&gt;');
    const next = `${t.baseUrl}/api/posts/?page=2`;
    expect(page.text).toContain(`"<a href="${next}" rel="nofollow">${next}</a>"`);
    expect(page.text).toContain(`<a class="btn secondary" href="${next}" rel="nofollow">Next »</a>`);
    expect(page.text).toContain('<a href="/api/">Api Root</a>');
    expect(page.text).toContain('<a href="/api-auth/login/?next=%2Fapi%2Fposts%2F">Log in</a>');
    // No inline script or style: a CSP of 'self' admits the page.
    expect(page.text).not.toMatch(/<script>|<style|style="/);
    const css = await t.unchecked.get('/static/rest_framework/browsable-api.css');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
  });

  it("walks the breadcrumbs up the path as DRF's get_breadcrumbs, keeping the format suffix and ?format=", async () => {
    const user = await t.createUser();
    const { body: post } = await t.http.post('/api/posts/').set(await t.bearer(user)).send({ title: 't', body: 'b' });
    const crumbs = async (url: string) => {
      const page = await t.unchecked.get(url).set('Accept', html);
      const list = /<ol class="breadcrumb">(.*?)<\/ol>/s.exec(page.text)![1]!;
      return [...list.matchAll(/<a href="([^"]*)">([^<]*)<\/a>/g)].map(([, href, name]) => `${name} ${href}`);
    };
    // Each as the DRF reference answers.
    expect(await crumbs(`/api/posts/${post.id}.api`)).toEqual(['Api Root /api/', 'Post List /api/posts/', `Post Instance /api/posts/${post.id}.api`]);
    expect(await crumbs(`/api/posts/${post.id}.api/`)).toEqual(['Api Root /api/', 'Post List /api/posts/', `Post Instance /api/posts/${post.id}.api/`]);
    expect(await crumbs(`/api/posts/${post.id}/?format=api&page=2`)).toEqual([
      'Api Root /api/?format=api',
      'Post List /api/posts/?format=api',
      `Post Instance /api/posts/${post.id}/?format=api`,
    ]);
    expect(await crumbs('/api/posts.api')).toEqual(['Api Root /api/', 'Post List /api/posts.api']);
    expect(await crumbs('/api/.api')).toEqual(['Api Root /api/.api']);
  });

  it('shows errors in the page, with their status', async () => {
    const page = await t.unchecked.get('/api/transactions/').set('Accept', html);
    expect(page.status).toBe(401);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<b>HTTP 401 Unauthorized</b>');
    expect(page.text).toContain('&quot;Authentication credentials were not provided.&quot;');
  });

  it('gives an anonymous visitor no write form, and a logged-in user the forms of the serializer', async () => {
    const anonymous = await t.unchecked.get('/api/posts/').set('Accept', html);
    expect(anonymous.text).not.toContain('<form class="html-form"');
    const user = await t.createUser();
    const cookies = await browserLogin(user);
    const page = await t.unchecked.get('/api/posts/').set('Accept', html).set('Cookie', cookieHeader(cookies));
    expect(page.text).toContain('<form class="html-form" method="post" action="/api/posts/" enctype="multipart/form-data"');
    expect(page.text).toContain(`<input type="hidden" name="csrfmiddlewaretoken" value="${cookies.csrftoken}">`);
    expect(page.text).toContain('<input type="text" id="field-title" name="title" maxlength="200" value="">');
    expect(page.text).toContain('<textarea id="field-body" name="body"></textarea>');
    expect(page.text).not.toContain('name="owner"');
    expect(page.text).toContain(`<span class="username">${user.username}</span><a href="/api-auth/logout/?next=%2Fapi%2Fposts%2F">Log out</a>`);
  });

  it("creates an object from the page's form and shows the result as a page", async () => {
    const user = await t.createUser();
    const cookies = await browserLogin(user);
    const created = await t.unchecked
      .post('/api/posts/')
      .set('Accept', html)
      .set('Cookie', cookieHeader(cookies))
      .field('csrfmiddlewaretoken', cookies.csrftoken!)
      .field('title', 'From the form')
      .field('body', 'Typed in a browser');
    expect(created.status).toBe(201);
    expect(created.text).toContain('<b>HTTP 201 Created</b>');
    expect(created.text).toContain('&quot;title&quot;: &quot;From the form&quot;');
    expect(await countRows(t.db, 'posts_post', { owner_id: user.id, title: 'From the form' })).toBe(1);
    // Without the token the session's write is refused.
    const forged = await t.unchecked.post('/api/posts/').set('Cookie', cookieHeader(cookies)).field('title', 'x').field('body', 'y');
    expect(forged.status).toBe(403);
    expect(forged.body).toEqual({ detail: 'CSRF Failed: CSRF token missing or incorrect.' });
    // A rejected submission shows the form again with the values and the errors.
    const rejected = await t.unchecked
      .post('/api/posts/')
      .set('Accept', html)
      .set('Cookie', cookieHeader(cookies))
      .field('csrfmiddlewaretoken', cookies.csrftoken!)
      .field('title', 'Kept');
    expect(rejected.status).toBe(400);
    expect(rejected.text).toContain('name="title" maxlength="200" value="Kept"');
    expect(rejected.text).toContain('<ul class="errors"><li>This field is required.</li></ul>');
  });

  it('offers PUT and DELETE on an object only to whom may use them', async () => {
    const owner = await t.createUser();
    const other = await t.createUser();
    const post = await t.http.post('/api/posts/').set(await t.bearer(owner)).send({ title: 'Owned', body: 'text' });
    const ownerPage = await t.unchecked.get(`/api/posts/${post.body.id}/`).set('Accept', html).set('Cookie', cookieHeader(await browserLogin(owner)));
    expect(ownerPage.text).toContain('data-method="PUT"');
    expect(ownerPage.text).toContain('name="title" maxlength="200" value="Owned"');
    expect(ownerPage.text).toContain('data-method="DELETE"');
    const otherPage = await t.unchecked.get(`/api/posts/${post.body.id}/`).set('Accept', html).set('Cookie', cookieHeader(await browserLogin(other)));
    expect(otherPage.text).not.toContain('data-method="PUT"');
    expect(otherPage.text).not.toContain('data-method="DELETE"');
  });

  it('refuses a login without its CSRF token (403) and shows the form again for a wrong password', async () => {
    const user = await t.createUser();
    const form = await t.unchecked.get('/api-auth/login/');
    const cookies = cookiesOf(form);
    expect(cookies.csrftoken).toMatch(/^[0-9a-f]{64}$/);
    const noToken = await t.unchecked
      .post('/api-auth/login/')
      .set('Cookie', cookieHeader(cookies))
      .type('form')
      .send({ username: user.username, password: user.password });
    expect(noToken.status).toBe(403);
    expect(noToken.text).toContain('CSRF verification failed. Request aborted.');
    expect(cookiesOf(noToken)).not.toHaveProperty('sessionid');
    const wrong = await t.unchecked
      .post('/api-auth/login/')
      .set('Cookie', cookieHeader(cookies))
      .type('form')
      .send({ csrfmiddlewaretoken: cookies.csrftoken, username: user.username, password: 'not-the-password' });
    expect(wrong.status).toBe(200);
    expect(wrong.text).toContain('Please enter a correct username and password.');
    expect(wrong.text).toContain(`value="${user.username}"`);
    expect(cookiesOf(wrong)).not.toHaveProperty('sessionid');
  });

  it('redirects a good login to next only when it is a path of this site', async () => {
    const user = await t.createUser();
    const form = await t.unchecked.get('/api-auth/login/');
    const cookies = cookiesOf(form);
    for (const [next, location] of [
      ['https://evil.example/', '/api/'],
      ['//evil.example/', '/api/'],
      ['/\\evil.example/', '/api/'],
      ['', '/api/'],
      ['/api/transactions/?limit=2', '/api/transactions/?limit=2'],
    ]) {
      const login = await t.unchecked
        .post('/api-auth/login/')
        .set('Cookie', cookieHeader(cookies))
        .type('form')
        .send({ csrfmiddlewaretoken: cookies.csrftoken, username: user.username, password: user.password, next });
      expect(login.status, next).toBe(302);
      expect(login.headers.location, next).toBe(location);
    }
  });

  it('logs out: the session is gone, and next is followed only within the site', async () => {
    const user = await t.createUser();
    const cookies = await browserLogin(user);
    const logout = await t.unchecked.get('/api-auth/logout/?next=/api/posts/').set('Cookie', cookieHeader(cookies));
    expect(logout.status).toBe(302);
    expect(logout.headers.location).toBe('/api/posts/');
    const after = await t.unchecked.get('/api/posts/').set('Accept', html).set('Cookie', cookieHeader(cookies));
    expect(after.text).toContain('Log in</a>');
    const elsewhere = await t.unchecked.get('/api-auth/logout/?next=https://evil.example/');
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.text).toContain('Logged out');
  });

  it('logs in with the CSRF token in X-CSRFToken as well as in the form, as Django\'s CsrfViewMiddleware', async () => {
    const user = await t.createUser();
    const cookies = cookiesOf(await t.unchecked.get('/api-auth/login/'));
    const login = await headerTokenLogin('post', cookies, user);
    expect(login.status).toBe(302);
    expect(cookiesOf(login).sessionid).toMatch(/^[0-9a-f]{40}$/);
  });

  it("reads the login form as Django's QueryDict: Python's unquote, and its 400 page past 1000 fields", async () => {
    const user = await t.createUser({ password: 'Sup3r%zz-Secret' });
    const cookies = cookiesOf(await t.unchecked.get('/api-auth/login/'));
    const form = (extra: string) =>
      t.unchecked
        .post('/api-auth/login/')
        .set('Cookie', cookieHeader(cookies))
        .type('form')
        .send(`csrfmiddlewaretoken=${cookies.csrftoken}&username=${user.username}&password=Sup3r%zz-Secret${extra}`);
    // `%zz` is no escape: Python's unquote keeps it as written (URLSearchParams would too; a lone `%` byte would not).
    const login = await form('');
    expect(login.status).toBe(302);
    const tooMany = await form('&x='.repeat(998));
    expect(tooMany.status).toBe(400);
    expect(tooMany.text).toContain('Bad Request (400)');
    expect(cookiesOf(tooMany)).not.toHaveProperty('sessionid');
    expect((await form('&x='.repeat(997))).status).toBe(302);
  });

  it('answers the login page\'s other methods as Django\'s LoginView: OPTIONS, PUT (the form again), 405 past the CSRF check', async () => {
    const user = await t.createUser();
    const cookies = cookiesOf(await t.unchecked.get('/api-auth/login/'));
    const allow = 'GET, POST, PUT, HEAD, OPTIONS';
    const options = await t.unchecked.options('/api-auth/login/');
    expect({ status: options.status, allow: options.headers.allow, text: options.text }).toEqual({ status: 200, allow, text: '' });
    for (const method of ['put', 'delete', 'patch'] as const) {
      const refused = await t.unchecked[method]('/api-auth/login/').set('Cookie', cookieHeader(cookies));
      expect(refused.status, method).toBe(403);
      expect(refused.text).toContain('CSRF verification failed. Request aborted.');
    }
    // Django reads no form from a PUT body: the form comes back, nobody is logged in.
    const put = await headerTokenLogin('put', cookies, user);
    expect(put.status).toBe(200);
    expect(put.text).toContain('name="csrfmiddlewaretoken"');
    expect(cookiesOf(put)).not.toHaveProperty('sessionid');
    for (const method of ['delete', 'patch'] as const) {
      const notAllowed = await t.unchecked[method]('/api-auth/login/').set('Cookie', cookieHeader(cookies)).set('X-CSRFToken', cookies.csrftoken!);
      expect({ status: notAllowed.status, allow: notAllowed.headers.allow, text: notAllowed.text }, method).toEqual({ status: 405, allow, text: '' });
    }
  });

  it('logs out as Django 3.2\'s LogoutView: writes need the CSRF token, then every method logs out', async () => {
    const user = await t.createUser();
    const loggedIn = async () => (await t.http.get('/api/dashboard/').set('Cookie', cookieHeader(cookies))).status === 200;
    let cookies = await browserLogin(user);
    for (const method of ['post', 'put', 'delete'] as const) {
      const refused = await t.unchecked[method]('/api-auth/logout/').set('Cookie', cookieHeader(cookies));
      expect(refused.status, method).toBe(403);
      expect(refused.text).toContain('CSRF verification failed. Request aborted.');
      expect(await loggedIn()).toBe(true);
    }
    const allow = 'GET, POST, HEAD, OPTIONS';
    const answers = {
      get: { status: 200, allow: undefined },
      post: { status: 200, allow: undefined },
      options: { status: 200, allow },
      put: { status: 405, allow },
      delete: { status: 405, allow },
    };
    for (const [method, expected] of Object.entries(answers) as [keyof typeof answers, (typeof answers)[keyof typeof answers]][]) {
      cookies = await browserLogin(user);
      const response = await t.unchecked[method]('/api-auth/logout/').set('Cookie', cookieHeader(cookies)).set('X-CSRFToken', cookies.csrftoken!);
      expect({ status: response.status, allow: response.headers.allow }, method).toEqual(expected);
      expect(response.headers['set-cookie'], method).toEqual([expect.stringMatching(/^sessionid=""; /)]);
      expect(await loggedIn(), method).toBe(false);
    }
    // The CSRF token in the POST form's field passes too.
    cookies = await browserLogin(user);
    const form = await t.unchecked.post('/api-auth/logout/').set('Cookie', cookieHeader(cookies)).type('form').send({ csrfmiddlewaretoken: cookies.csrftoken! });
    expect(form.status).toBe(200);
    expect(await loggedIn()).toBe(false);
    // LogoutView's next: the POST body's when it has one, else the query string's last.
    cookies = await browserLogin(user);
    const posted = await t.unchecked
      .post('/api-auth/logout/?next=/api/')
      .set('Cookie', cookieHeader(cookies))
      .type('form')
      .send({ csrfmiddlewaretoken: cookies.csrftoken!, next: '/api/posts/' });
    expect({ status: posted.status, location: posted.headers.location }).toEqual({ status: 302, location: '/api/posts/' });
    const twice = await t.unchecked.get('/api-auth/logout/?next=/api/&next=/api/posts/');
    expect({ status: twice.status, location: twice.headers.location }).toEqual({ status: 302, location: '/api/posts/' });
  });

  it('serves ReDoc and its bundle from this server', async () => {
    const page = await t.http.get('/api/redoc/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-spec-url="/api/schema/?format=json"');
    expect(page.text).not.toMatch(/https?:\/\//);
    const bundle = await t.unchecked.get('/api/redoc/redoc.standalone.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect((await t.unchecked.get('/api/redoc/redoc-init.js')).text).toContain('Redoc.init');
  });
});
