// Browser sessions over HTTP: POST/DELETE /api/auth/session/, the sessionid and csrftoken
// cookies, DRF's SessionAuthentication with its CSRF check on unsafe methods, expiry,
// revocation, and session keys that never reach the database in plaintext.
import { createHash } from 'node:crypto';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { testConfig, useTestApp } from '../support/app.js';
import { cookieHeader, sessionLogin, setCookies } from '../support/auth.js';
import { describeWithDatabase } from '../support/suite.js';
import { countRows } from '../support/databases.js';
import { sql } from 'kysely';

const csrfFailed = { detail: 'CSRF Failed: CSRF token missing or incorrect.' };
const notProvided = { detail: 'Authentication credentials were not provided.' };
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const twoWeeks = 14 * 24 * 3600;
// Django 3.2's delete_cookie, byte for byte (as the DRF reference sends it).
const sessionDeleted = 'sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=Lax';

describeWithDatabase('browser sessions over HTTP', () => {
  const t = useTestApp();

  describe('login: POST /api/auth/session/', () => {
    it('answers {"detail","username"} and sets an HttpOnly session cookie and a readable CSRF cookie', async () => {
      const user = await t.createUser();
      const before = Date.now();
      const response = await t.http.post('/api/auth/session/').send({ username: user.username, password: user.password });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ detail: 'Logged in.', username: user.username });

      const { sessionid, csrftoken } = setCookies(response);
      expect(sessionid!.value).toMatch(/^[0-9a-f]{40}$/);
      expect(sessionid!.attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/', `Max-Age=${twoWeeks}`]));
      expect(csrftoken!.value).toMatch(/^[0-9a-f]{64}$/);
      // Django's CSRF_COOKIE_AGE (a year), and its order: csrftoken first, then sessionid.
      expect(csrftoken!.attributes).toEqual(expect.arrayContaining(['SameSite=Lax', 'Path=/', 'Max-Age=31449600']));
      expect((response.headers['set-cookie'] as unknown as string[]).map((line) => line.split('=')[0])).toEqual(['csrftoken', 'sessionid']);
      for (const cookie of [sessionid!, csrftoken!]) expect(cookie.attributes).not.toContain('Secure');
      expect(csrftoken!.attributes).not.toContain('HttpOnly');

      const row = await t.db.kysely.selectFrom('django_session').select(['user_id as userId', 'expires_at as expiresAt']).where('digest', '=', sha256(sessionid!.value)).executeTakeFirstOrThrow();
      expect(row.userId).toBe(user.id);
      expect(row.expiresAt.getTime()).toBeGreaterThanOrEqual(before + twoWeeks * 1000 - 1000);
      expect(row.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + twoWeeks * 1000 + 1000);
      const { last_login: lastLogin } = await t.db.kysely.selectFrom('auth_user').select('last_login').where('id', '=', user.id).executeTakeFirstOrThrow();
      expect(lastLogin).not.toBeNull();
    });

    it('marks both cookies Secure when SESSION_COOKIE_SECURE is on', async () => {
      const https = request(createApp(testConfig({ session: { ...testConfig().session, cookieAge: 600, secureCookies: true } }), t.db));
      const user = await t.createUser();
      const response = await https.post('/api/auth/session/').send({ username: user.username, password: user.password });
      const cookies = setCookies(response);
      expect(cookies.sessionid!.attributes).toEqual(expect.arrayContaining(['Secure', 'Max-Age=600']));
      expect(cookies.csrftoken!.attributes).toEqual(expect.arrayContaining(['Secure', 'Max-Age=31449600']));
    });

    it('deletes the session cookie as Django does: Secure only when SameSite=None', async () => {
      for (const [sameSite, deleted] of [
        ['Lax', sessionDeleted],
        ['None', 'sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=None; Secure'],
      ] as const) {
        const app = request(createApp(testConfig({ session: { ...testConfig().session, secureCookies: true, sessionSameSite: sameSite } }), t.db));
        const response = await app.delete('/api/auth/session/').set('Cookie', 'sessionid=garbage');
        expect(response.headers['set-cookie'], sameSite).toEqual([deleted]);
      }
    });

    it('refuses bad credentials and inactive users alike, setting no cookie', async () => {
      const user = await t.createUser();
      const inactive = await t.createUser({ isActive: false });
      for (const body of [
        { username: user.username, password: 'wrong password' },
        { username: 'no-such-user', password: 'whatever it is' },
        { username: inactive.username, password: inactive.password },
      ]) {
        const response = await t.http.post('/api/auth/session/').send(body);
        expect(response.status).toBe(400);
        expect(response.body).toEqual({ non_field_errors: ['Unable to log in with provided credentials.'] });
        expect(response.headers['set-cookie']).toBeUndefined();
      }
      const missing = await t.http.post('/api/auth/session/').send({});
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({ username: ['This field is required.'], password: ['This field is required.'] });
    });

    it('logging in again replaces the session (a new key; the old one stops working)', async () => {
      const user = await t.createUser();
      const first = await sessionLogin(t, user);
      const again = await t.http
        .post('/api/auth/session/')
        .set('Cookie', first.cookie)
        .set('X-CSRFToken', first.csrftoken)
        .send({ username: user.username, password: user.password });
      expect(again.status).toBe(200);
      const second = setCookies(again).sessionid!.value;
      expect(second).not.toBe(first.sessionid);
      expect((await t.http.get('/api/dashboard/').set('Cookie', first.cookie)).status).toBe(403);
      expect((await t.http.get('/api/dashboard/').set('Cookie', `sessionid=${second}`)).status).toBe(200);
    });

    it('over a stale session cookie, sets each cookie once (the new session, not also the stale one\'s deletion)', async () => {
      const user = await t.createUser();
      const response = await t.http
        .post('/api/auth/session/')
        .set('Cookie', 'sessionid=garbage; csrftoken=abc')
        .send({ username: user.username, password: user.password });
      expect(response.status).toBe(200);
      const lines = response.headers['set-cookie'] as unknown as string[];
      expect(lines.map((line) => line.split('=')[0])).toEqual(['csrftoken', 'sessionid']);
      expect(setCookies(response).sessionid!.value).toMatch(/^[0-9a-f]{40}$/);
    });
  });

  describe('SessionAuthentication', () => {
    it('authenticates the default views by cookie', async () => {
      const user = await t.createUser({ email: 'spa@example.com' });
      const session = await sessionLogin(t, user);
      const response = await t.http.get('/auth/users/me/').set('Cookie', session.cookie);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ email: 'spa@example.com', id: user.id, username: user.username });
    });

    it('a write needs X-CSRFToken matching the csrftoken cookie: 403 without, 201 with', async () => {
      const user = await t.createUser();
      const session = await sessionLogin(t, user);
      const post = () => t.http.post('/api/posts/').set('Cookie', session.cookie);
      const before = await countRows(t.db, 'posts_post');

      const missing = await post().send({ title: 't', body: 'b' });
      expect(missing.status).toBe(403);
      expect(missing.body).toEqual(csrfFailed);
      expect(missing.headers['www-authenticate']).toBeUndefined();
      const wrong = await post().set('X-CSRFToken', 'f'.repeat(64)).send({ title: 't', body: 'b' });
      expect({ status: wrong.status, body: wrong.body }).toEqual({ status: 403, body: csrfFailed });
      expect(await countRows(t.db, 'posts_post')).toBe(before);

      const ok = await post().set('X-CSRFToken', session.csrftoken).send({ title: 't', body: 'b' });
      expect(ok.status).toBe(201);
      expect((ok.body as { owner: string }).owner).toBe(user.username);
    });

    it('the header alone is not enough: the cookie must carry the same token (the contract\'s message, not Django\'s "CSRF cookie not set.")', async () => {
      const user = await t.createUser();
      const session = await sessionLogin(t, user);
      const response = await t.http
        .post('/api/posts/')
        .set('Cookie', cookieHeader({ sessionid: session.sessionid }))
        .set('X-CSRFToken', session.csrftoken)
        .send({ title: 't', body: 'b' });
      expect({ status: response.status, body: response.body }).toEqual({ status: 403, body: csrfFailed });
    });

    it('reads the form\'s csrfmiddlewaretoken on a POST only, before X-CSRFToken, as Django\'s CsrfViewMiddleware', async () => {
      const user = await t.createUser();
      const session = await sessionLogin(t, user);
      const form = (method: 'post' | 'put', path: string, token: string) =>
        t.http[method](path).set('Cookie', session.cookie).type('form').send({ title: 't', body: 'b', csrfmiddlewaretoken: token });

      const formOnly = await form('post', '/api/posts/', session.csrftoken);
      expect(formOnly.status).toBe(201);
      const id = (formOnly.body as { id: number }).id;
      // The form's field wins: a wrong one is refused whatever the header says, a right one passes whatever it says.
      const wrongField = await form('post', '/api/posts/', 'f'.repeat(64)).set('X-CSRFToken', session.csrftoken);
      expect({ status: wrongField.status, body: wrongField.body }).toEqual({ status: 403, body: csrfFailed });
      expect((await form('post', '/api/posts/', session.csrftoken).set('X-CSRFToken', 'f'.repeat(64))).status).toBe(201);
      // An empty field falls back to the header.
      expect((await form('post', '/api/posts/', '').set('X-CSRFToken', session.csrftoken)).status).toBe(201);
      // Django has no form (request.POST) on other methods: a PUT needs the header.
      const put = await form('put', `/api/posts/${id}/`, session.csrftoken);
      expect({ status: put.status, body: put.body }).toEqual({ status: 403, body: csrfFailed });
      expect((await form('put', `/api/posts/${id}/`, 'f'.repeat(64)).set('X-CSRFToken', session.csrftoken)).status).toBe(200);
    });

    it('a POST body DRF cannot parse is answered before the CSRF verdict (Django reads request.POST); other methods fail CSRF first', async () => {
      const session = await sessionLogin(t, await t.createUser());
      const write = (method: 'post' | 'put') => t.http[method]('/api/transactions/').set('Cookie', session.cookie);
      const malformed = await write('post').type('json').send('{"amount":');
      expect({ status: malformed.status, body: malformed.body }).toEqual({
        status: 400,
        body: { detail: 'JSON parse error - Expecting value: line 1 column 11 (char 10)' },
      });
      const unsupported = await write('post').type('text/plain').send('x');
      expect({ status: unsupported.status, body: unsupported.body }).toEqual({ status: 415, body: { detail: 'Unsupported media type "text/plain" in request.' } });
      // A body that parses but is no form carries no token.
      const list = await write('post').send([1]);
      expect({ status: list.status, body: list.body }).toEqual({ status: 403, body: csrfFailed });
      const put = await write('put').type('json').send('{"amount":');
      expect({ status: put.status, body: put.body }).toEqual({ status: 403, body: csrfFailed });
      // Without the csrftoken cookie Django refuses before reading the body.
      const noCookie = await t.http.post('/api/transactions/').set('Cookie', cookieHeader({ sessionid: session.sessionid })).type('json').send('{"amount":');
      expect({ status: noCookie.status, body: noCookie.body }).toEqual({ status: 403, body: csrfFailed });
    });

    it('a CSRF token of another session does not pass, even in both places (it is bound to the session)', async () => {
      const victim = await sessionLogin(t, await t.createUser());
      const attacker = await sessionLogin(t, await t.createUser());
      const response = await t.http
        .post('/api/posts/')
        .set('Cookie', cookieHeader({ sessionid: victim.sessionid, csrftoken: attacker.csrftoken }))
        .set('X-CSRFToken', attacker.csrftoken)
        .send({ title: 't', body: 'b' });
      expect({ status: response.status, body: response.body }).toEqual({ status: 403, body: csrfFailed });
    });

    it('safe methods need no CSRF token', async () => {
      const session = await sessionLogin(t, await t.createUser());
      for (const method of ['get', 'head', 'options'] as const) {
        expect((await t.http[method]('/api/transactions/').set('Cookie', session.cookie)).status).toBe(200);
      }
    });

    it('JWT requests are not subject to CSRF, even with a session cookie', async () => {
      const user = await t.createUser();
      const session = await sessionLogin(t, user);
      const response = await t.http.post('/api/posts/').set('Cookie', session.cookie).set(await t.bearer(user)).send({ title: 't', body: 'b' });
      expect(response.status).toBe(201);
    });

    it('an unknown, expired or inactive user\'s session is simply anonymous', async () => {
      const user = await t.createUser();
      const expired = await sessionLogin(t, user);
      await t.db.kysely.updateTable('django_session').set({ expires_at: new Date(Date.now() - 1000) }).where('digest', '=', sha256(expired.sessionid)).execute();
      const inactiveUser = await t.createUser();
      const inactive = await sessionLogin(t, inactiveUser);
      await t.db.kysely.updateTable('auth_user').set({ is_active: false }).where('id', '=', inactiveUser.id).execute();

      for (const cookie of ['sessionid=0123456789abcdef0123456789abcdef01234567', 'sessionid=', 'sessionid=%E0%A4%A', expired.cookie, inactive.cookie]) {
        const dashboard = await t.http.get('/api/dashboard/').set('Cookie', cookie);
        expect({ status: dashboard.status, body: dashboard.body }).toEqual({ status: 403, body: notProvided });
        // Anonymous, not an error: a public endpoint answers, and a write needs no CSRF token to be refused as anonymous.
        expect((await t.http.get('/api/posts/').set('Cookie', cookie)).status).toBe(200);
        const write = await t.http.post('/api/posts/').set('Cookie', cookie).send({ title: 't', body: 'b' });
        expect(write.status).toBe(401);
      }
    });

    it('deletes a cookie that names no live session, as Django\'s session middleware; keeps a live one', async () => {
      const user = await t.createUser();
      const session = await sessionLogin(t, user);
      for (const cookie of ['sessionid=garbage', 'sessionid=']) {
        const response = await t.http.get('/api/posts/').set('Cookie', cookie);
        expect(response.status).toBe(200);
        expect(response.headers['set-cookie']).toEqual([sessionDeleted]);
      }
      expect((await t.http.get('/api/posts/').set('Cookie', session.cookie)).headers['set-cookie']).toBeUndefined();
      expect((await t.http.get('/api/posts/')).headers['set-cookie']).toBeUndefined();
    });
  });

  describe('logout: DELETE /api/auth/session/', () => {
    it('needs the CSRF token while the session is live', async () => {
      const session = await sessionLogin(t, await t.createUser());
      const response = await t.http.delete('/api/auth/session/').set('Cookie', session.cookie);
      expect({ status: response.status, body: response.body }).toEqual({ status: 403, body: csrfFailed });
      expect((await t.http.get('/api/dashboard/').set('Cookie', session.cookie)).status).toBe(200);
    });

    it('deletes the session server-side and clears the session cookie only, as Django (csrftoken stays)', async () => {
      const user = await t.createUser();
      const session = await sessionLogin(t, user);
      const other = await sessionLogin(t, user);
      const response = await t.http.delete('/api/auth/session/').set('Cookie', session.cookie).set('X-CSRFToken', session.csrftoken);
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expect(response.headers['set-cookie']).toEqual([sessionDeleted]);
      expect(await countRows(t.db, 'django_session', { digest: sha256(session.sessionid) })).toBe(0);
      // A copy of the old cookie is worthless; the user's other browser stays signed in.
      expect((await t.http.get('/api/dashboard/').set('Cookie', session.cookie)).status).toBe(403);
      expect((await t.http.get('/api/dashboard/').set('Cookie', other.cookie)).status).toBe(200);
    });

    it('succeeds without a session, as Django\'s logout(), deleting only a session cookie the request sent (once)', async () => {
      for (const cookie of [undefined, 'csrftoken=abc']) {
        const request = t.http.delete('/api/auth/session/');
        const response = await (cookie === undefined ? request : request.set('Cookie', cookie));
        expect(response.status).toBe(204);
        expect(response.headers['set-cookie']).toBeUndefined();
      }
      for (const cookie of ['sessionid=garbage', 'sessionid=', 'sessionid=garbage; csrftoken=abc']) {
        const response = await t.http.delete('/api/auth/session/').set('Cookie', cookie);
        expect(response.status).toBe(204);
        expect(response.headers['set-cookie']).toEqual([sessionDeleted]);
      }
    });
  });

  it('stores no session key in the database: only its SHA-256 digest', async () => {
    const user = await t.createUser();
    const session = await sessionLogin(t, user);
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM django_session WHERE user_id = ${user.id}`.execute(t.db.kysely);
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(session.sessionid);
    expect(JSON.stringify(rows)).not.toContain(session.csrftoken);
    expect(rows[0]!.digest).toBe(sha256(session.sessionid));
  });
});
