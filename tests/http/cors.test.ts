// Cross-origin pages (SPAs) over HTTP, as django-cors-headers and Django 4's CSRF check answer
// them: CORS headers for allowed origins only, preflights answered before authentication,
// `Vary: Origin`, and session writes from another origin only when it is trusted.
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { testConfig, useTestApp } from '../support/app.js';
import { sessionLogin, setCookies } from '../support/auth.js';
import { describeWithDatabase } from '../support/suite.js';
import { countRows } from '../support/databases.js';

const spa = 'http://localhost:5173';
const other = 'http://localhost:5174'; // allowed to read (CORS) but not trusted to write with a session
const evil = 'https://evil.example';

describeWithDatabase('CORS and cross-origin session writes', () => {
  const t = useTestApp({
    cors: { allowedOrigins: [spa, other], allowCredentials: true },
    session: { ...testConfig().session, trustedOrigins: [spa, 'https://*.example.org'] },
  });

  const vary = (response: request.Response) => String(response.headers.vary ?? '').split(/,\s*/).map((v) => v.toLowerCase());

  describe('simple requests', () => {
    it('an allowed origin reads the response, with credentials; Vary names Origin and Accept', async () => {
      const response = await t.http.get('/api/posts/').set('Origin', spa);
      expect(response.status).toBe(200);
      expect(response.headers['access-control-allow-origin']).toBe(spa);
      expect(response.headers['access-control-allow-credentials']).toBe('true');
      expect(vary(response)).toEqual(expect.arrayContaining(['origin', 'accept']));
    });

    it('any other origin gets no CORS header (the browser keeps the answer from the page), and still Vary: Origin', async () => {
      for (const origin of [evil, 'http://localhost:8080', 'null']) {
        const response = await t.http.get('/api/posts/').set('Origin', origin);
        expect(response.status).toBe(200);
        expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
        expect(vary(response)).toContain('origin');
      }
      const sameOrigin = await t.http.get('/api/posts/');
      expect(Object.keys(sameOrigin.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
      expect(vary(sameOrigin)).toEqual(expect.arrayContaining(['origin', 'accept']));
    });

    it("matches an origin by scheme and host:port only, as django-cors-headers does, and echoes it as sent", async () => {
      for (const origin of ['HTTP://localhost:5173', 'http://localhost:5173/', 'http://localhost:5173/path?q#f']) {
        const response = await t.http.get('/api/posts/').set('Origin', origin);
        expect(response.headers['access-control-allow-origin']).toBe(origin);
      }
      for (const origin of ['http://LOCALHOST:5173', 'https://localhost:5173', 'http://localhost', 'localhost:5173']) {
        const response = await t.http.get('/api/posts/').set('Origin', origin);
        expect(response.headers).not.toHaveProperty('access-control-allow-origin');
      }
    });

    it('error answers carry the CORS headers too, so the page can read the error', async () => {
      const response = await t.http.get('/api/transactions/').set('Origin', spa);
      expect(response.status).toBe(401);
      expect(response.headers['access-control-allow-origin']).toBe(spa);
    });
  });

  describe('preflight: OPTIONS with Access-Control-Request-Method', () => {
    it('is answered 200 with no body before authentication, on a view that needs credentials', async () => {
      const response = await t.unchecked
        .options('/api/transactions/')
        .set('Origin', spa)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization, content-type, x-csrftoken');
      expect(response.status).toBe(200);
      expect(response.text).toBe('');
      expect(response.headers['access-control-allow-origin']).toBe(spa);
      expect(response.headers['access-control-allow-credentials']).toBe('true');
      expect(response.headers['access-control-allow-methods']).toBe('DELETE, GET, OPTIONS, PATCH, POST, PUT');
      expect(response.headers['access-control-allow-headers']!.split(', ')).toEqual(
        expect.arrayContaining(['authorization', 'content-type', 'x-csrftoken']),
      );
      expect(response.headers['access-control-max-age']).toBe('86400');
      expect(vary(response)).toContain('origin');
    });

    it('from an origin not allowed: 200 without CORS headers (the browser then refuses the request)', async () => {
      const response = await t.unchecked.options('/api/transactions/1/').set('Origin', evil).set('Access-Control-Request-Method', 'DELETE');
      expect(response.status).toBe(200);
      expect(response.text).toBe('');
      expect(Object.keys(response.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
      expect(vary(response)).toContain('origin');
    });

    it('an OPTIONS that is no preflight is still DRF\'s metadata, with the CORS headers', async () => {
      const response = await t.http.options('/api/posts/').set('Origin', spa);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ name: 'Post List' });
      expect(response.headers['access-control-allow-origin']).toBe(spa);
    });
  });

  describe('session writes from another origin (Django 4\'s Origin check, then the CSRF token)', () => {
    async function write(origin: string | undefined, withToken = true, title = 'cross-origin') {
      const user = await t.createUser();
      const session = await sessionLogin(t, user);
      const post = t.http
        .post('/api/posts/')
        .set('Cookie', session.cookie)
        .set('X-CSRFToken', withToken ? session.csrftoken : 'wrong');
      return (origin ? post.set('Origin', origin) : post).send({ title, body: 'from an SPA' });
    }

    it('pass from a trusted origin with the token', async () => {
      const response = await write(spa);
      expect(response.status).toBe(201);
      expect(response.headers['access-control-allow-origin']).toBe(spa);
    });

    it('pass from the API\'s own origin, and without an Origin header (the token alone decides)', async () => {
      expect((await write(t.baseUrl)).status).toBe(201);
      expect((await write(undefined)).status).toBe(201);
    });

    it('pass from a subdomain of a trusted https://*.example.org, and not over http', async () => {
      expect((await write('https://app.example.org')).status).toBe(201);
      const insecure = await write('http://app.example.org');
      expect(insecure.status).toBe(403);
      expect(insecure.body).toEqual({ detail: 'CSRF Failed: Origin checking failed - http://app.example.org does not match any trusted origins.' });
    });

    it('are refused from an origin CORS allows but CSRF_TRUSTED_ORIGINS does not name, even with the right token', async () => {
      for (const origin of [other, evil, 'null']) {
        const response = await write(origin, true, 'refused');
        expect(response.status).toBe(403);
        expect(response.body).toEqual({ detail: `CSRF Failed: Origin checking failed - ${origin} does not match any trusted origins.` });
      }
      expect(await countRows(t.db, 'posts_post', { title: 'refused' })).toBe(0);
    });

    it('are refused from a trusted origin without the right token', async () => {
      const response = await write(spa, false);
      expect(response.status).toBe(403);
      expect(response.body).toEqual({ detail: 'CSRF Failed: CSRF token missing or incorrect.' });
    });

    it('a JWT write is never CSRF-checked, whatever the origin', async () => {
      const user = await t.createUser();
      const response = await t.http
        .post('/api/transactions/')
        .set(await t.bearer(user))
        .set('Origin', other)
        .send({ amount: '1.00', description: 'jwt from an SPA' });
      expect(response.status).toBe(201);
    });
  });
});

describeWithDatabase('CORS with the defaults (no allowed origin)', () => {
  const t = useTestApp();

  it('sends no CORS header to any origin, and answers preflights 200 (never 401) without them', async () => {
    const get = await t.http.get('/api/posts/').set('Origin', 'http://localhost:5173');
    expect(get.headers).not.toHaveProperty('access-control-allow-origin');
    const preflight = await t.unchecked.options('/api/transactions/').set('Origin', 'http://localhost:5173').set('Access-Control-Request-Method', 'GET');
    expect(preflight.status).toBe(200);
    expect(preflight.headers).not.toHaveProperty('access-control-allow-origin');
    expect(preflight.headers).not.toHaveProperty('access-control-allow-credentials');
  });

  it('a cross-origin session write is refused even with the token', async () => {
    const user = await t.createUser();
    const session = await sessionLogin(t, user);
    const response = await t.http
      .post('/api/posts/')
      .set('Cookie', session.cookie)
      .set('X-CSRFToken', session.csrftoken)
      .set('Origin', 'http://localhost:5173')
      .send({ title: 'x', body: 'y' });
    expect(response.status).toBe(403);
  });
});

describeWithDatabase('SESSION_COOKIE_SAMESITE and CSRF_COOKIE_SAMESITE', () => {
  const t = useTestApp();

  it('set each cookie\'s SameSite (None with Secure, for an SPA on another site over HTTPS)', async () => {
    const config = testConfig({ session: { ...testConfig().session, secureCookies: true, sessionSameSite: 'None', csrfSameSite: 'Strict' } });
    const user = await t.createUser();
    const response = await request(createApp(config, t.db)).post('/api/auth/session/').send({ username: user.username, password: user.password });
    expect(response.status).toBe(200);
    const cookies = setCookies(response);
    expect(cookies.sessionid!.attributes).toEqual(expect.arrayContaining(['SameSite=None', 'Secure', 'HttpOnly']));
    expect(cookies.csrftoken!.attributes).toEqual(expect.arrayContaining(['SameSite=Strict', 'Secure']));
  });
});
