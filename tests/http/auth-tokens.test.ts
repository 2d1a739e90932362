// DRF token authentication over HTTP: Djoser's /auth/token/login/ and /logout/, DRF's
// /api-token-auth/, `Authorization: Token <key>` with DRF's messages, one token per
// login, expiry, and keys that never reach the database in plaintext.
import { createHash } from 'node:crypto';
import { get } from 'node:http';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { testConfig, useTestApp } from '../support/app.js';
import { sessionLogin, tokenLogin } from '../support/auth.js';
import { describeWithDatabase } from '../support/suite.js';
import { countRows } from '../support/databases.js';
import { sql } from 'kysely';

const unableToLogIn = { non_field_errors: ['Unable to log in with provided credentials.'] };
const invalidToken = { detail: 'Invalid token.' };
const notProvided = { detail: 'Authentication credentials were not provided.' };
const token = (key: string) => ({ Authorization: `Token ${key}` });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describeWithDatabase('DRF token authentication over HTTP', () => {
  const t = useTestApp();

  describe('Djoser login: POST /auth/token/login/', () => {
    it.each(['/auth/token/login/', '/auth/token/login'])('%s answers {"auth_token"}: 40 hex characters that authenticate', async (path) => {
      const user = await t.createUser({ email: 'me@example.com' });
      const response = await t.http.post(path).send({ username: user.username, password: user.password });
      expect(response.status).toBe(200);
      expect(Object.keys(response.body as object)).toEqual(['auth_token']);
      const key = (response.body as { auth_token: string }).auth_token;
      expect(key).toMatch(/^[0-9a-f]{40}$/);
      const me = await t.http.get('/auth/users/me/').set(token(key));
      expect(me.status).toBe(200);
      expect(me.body).toEqual({ email: 'me@example.com', id: user.id, username: user.username });
    });

    it('records the login time, as Django\'s user_logged_in signal does', async () => {
      const user = await t.createUser();
      const before = Date.now();
      await tokenLogin(t, user);
      const row = await t.db.kysely.selectFrom('auth_user').select('last_login as lastLogin').where('id', '=', user.id).executeTakeFirstOrThrow();
      expect(row.lastLogin!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    });

    it('refuses bad credentials with Djoser\'s message, for unknown users, wrong passwords and inactive users alike', async () => {
      const user = await t.createUser();
      const inactive = await t.createUser({ isActive: false });
      for (const body of [
        { username: user.username, password: 'wrong password' },
        { username: 'nobody-by-that-name', password: user.password },
        { username: inactive.username, password: inactive.password },
        { username: user.username },
        { password: user.password },
        {},
      ]) {
        const response = await t.http.post('/auth/token/login/').send(body);
        expect({ status: response.status, body: response.body }).toEqual({ status: 400, body: unableToLogIn });
      }
      expect(await countRows(t.db, 'authtoken_token', { user_id: [user.id, inactive.id] })).toBe(0);
    });

    it('validates its fields as DRF CharFields', async () => {
      const blank = await t.http.post('/auth/token/login/').send({ username: '', password: 'x' });
      expect(blank.status).toBe(400);
      expect(blank.body).toEqual({ username: ['This field may not be blank.'] });
      const wrongType = await t.http.post('/auth/token/login/').send({ username: ['a'], password: null });
      expect(wrongType.body).toEqual({ password: ['This field may not be null.'], username: ['Not a valid string.'] });
    });

    it('issues a new token per login: logging out one device leaves the others signed in', async () => {
      const user = await t.createUser();
      const phone = await tokenLogin(t, user);
      const laptop = await tokenLogin(t, user);
      expect(phone.key).not.toBe(laptop.key);

      const logout = await t.http.post('/auth/token/logout/').set(phone.header);
      expect(logout.status).toBe(204);
      expect(logout.text).toBe('');

      const revoked = await t.http.get('/auth/users/me/').set(phone.header);
      expect(revoked.status).toBe(401);
      expect(revoked.body).toEqual(invalidToken);
      expect(revoked.headers['www-authenticate']).toBe('Bearer realm="api"');
      expect((await t.http.get('/auth/users/me/').set(laptop.header)).status).toBe(200);
    });

    it('logout requires authentication (401 with the Bearer challenge)', async () => {
      const response = await t.http.post('/auth/token/logout/');
      expect(response.status).toBe(401);
      expect(response.body).toEqual(notProvided);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    });

    it('logout by another scheme (JWT) revokes every token of the user, as Djoser does', async () => {
      const user = await t.createUser();
      const first = await tokenLogin(t, user);
      const second = await tokenLogin(t, user);
      const response = await t.http.post('/auth/token/logout/').set(await t.bearer(user));
      expect(response.status).toBe(204);
      for (const { header } of [first, second]) expect((await t.http.get('/auth/users/me/').set(header)).status).toBe(401);
    });
  });

  describe('DRF obtain_auth_token: POST /api-token-auth/', () => {
    it('answers {"token"} that authenticates; each call is a new token', async () => {
      const user = await t.createUser();
      const first = await t.http.post('/api-token-auth/').send({ username: user.username, password: user.password });
      const second = await t.http.post('/api-token-auth').type('form').send({ username: user.username, password: user.password });
      for (const response of [first, second]) {
        expect(response.status).toBe(200);
        expect(Object.keys(response.body as object)).toEqual(['token']);
        expect((response.body as { token: string }).token).toMatch(/^[0-9a-f]{40}$/);
        expect((await t.http.get('/api/transactions/').set(token((response.body as { token: string }).token))).status).toBe(200);
      }
      expect((first.body as { token: string }).token).not.toBe((second.body as { token: string }).token);
    });

    it('answers DRF\'s AuthTokenSerializer errors', async () => {
      const user = await t.createUser();
      const missing = await t.http.post('/api-token-auth/').send({});
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({ username: ['This field is required.'], password: ['This field is required.'] });
      const wrong = await t.http.post('/api-token-auth/').send({ username: user.username, password: 'nope' });
      expect({ status: wrong.status, body: wrong.body }).toEqual({ status: 400, body: unableToLogIn });
      const inactive = await t.createUser({ isActive: false });
      const refused = await t.http.post('/api-token-auth/').send({ username: inactive.username, password: inactive.password });
      expect({ status: refused.status, body: refused.body }).toEqual({ status: 400, body: unableToLogIn });
    });

    it('renders JSON only, as ObtainAuthToken: text/html is 406, ?format=api is 404, and no Vary: Accept', async () => {
      const user = await t.createUser();
      const credentials = { username: user.username, password: user.password };
      for (const accept of ['text/html', 'text/html,application/xhtml+xml,application/xml;q=0.9']) {
        const refused = await t.http.post('/api-token-auth/').set('Accept', accept).send(credentials);
        expect({ status: refused.status, body: refused.body }, accept).toEqual({ status: 406, body: { detail: 'Could not satisfy the request Accept header.' } });
        expect(refused.headers['content-type']).toBe('application/json');
      }
      const api = await t.http.post('/api-token-auth/?format=api').send(credentials);
      expect({ status: api.status, body: api.body }).toEqual({ status: 404, body: { detail: 'Not found.' } });
      const json = await t.http.post('/api-token-auth/?format=json').set('Accept', 'text/html, */*').send(credentials);
      expect(json.status).toBe(200);
      expect(json.headers['content-type']).toBe('application/json');
      // No Accept (one renderer); Cookie once the session was looked for, which a 404 for the
      // format comes before (the reference: `Vary: Cookie`, and none on that 404).
      expect(json.headers.vary).toBe('Origin, Cookie');
      expect(api.headers.vary).toBe('Origin');
    });

    it("Djoser's token login answers OPTIONS with TokenCreateSerializer's optional fields", async () => {
      const response = await t.http.options('/auth/token/login/');
      const optional = (label: string) => ({ type: 'string', required: false, read_only: false, label });
      expect(response.body.actions).toEqual({ POST: { password: optional('Password'), username: optional('Username') } });
    });

    it('answers OPTIONS with its one renderer and ObtainAuthToken\'s parsers, form first', async () => {
      const response = await t.http.options('/api-token-auth/');
      expect(response.status).toBe(200);
      const field = (label: string, readOnly = false) => ({ type: 'string', required: !readOnly, read_only: readOnly, label });
      expect(response.body).toEqual({
        name: 'Obtain Auth Token',
        description: '',
        renders: ['application/json'],
        parses: ['application/x-www-form-urlencoded', 'multipart/form-data', 'application/json'],
        actions: { POST: { username: field('Username'), password: field('Password'), token: field('Token', true) } },
      });
      expect(response.headers.vary).toBe('Origin, Cookie');
      // Every one of them is parsed.
      const user = await t.createUser();
      const multipart = await t.http.post('/api-token-auth/').field('username', user.username).field('password', user.password);
      expect(multipart.status).toBe(200);
    });

    it('keeps the password\'s spaces (trim_whitespace=False)', async () => {
      const user = await t.createUser({ password: '  spaced out passphrase  ' });
      const exact = await t.http.post('/api-token-auth/').send({ username: user.username, password: user.password });
      expect(exact.status).toBe(200);
      const trimmed = await t.http.post('/api-token-auth/').send({ username: user.username, password: user.password.trim() });
      expect(trimmed.status).toBe(400);
    });
  });

  describe('Authorization: Token <key>', () => {
    it('takes the keyword in any case, on every default view', async () => {
      const user = await t.createUser();
      const { key } = await tokenLogin(t, user);
      for (const keyword of ['Token', 'token', 'TOKEN']) {
        const response = await t.http.post('/api/posts/').set('Authorization', `${keyword} ${key}`).send({ title: 't', body: 'b' });
        expect(response.status).toBe(201);
        expect((response.body as { owner: string }).owner).toBe(user.username);
      }
    });

    it.each([
      ['Token', 'Invalid token header. No credentials provided.'],
      ['Token   ', 'Invalid token header. No credentials provided.'],
      ['Token abc def', 'Invalid token header. Token string should not contain spaces.'],
      ['Token 0000000000000000000000000000000000000000', 'Invalid token.'],
      ['Token not-even-hex', 'Invalid token.'],
      // Header bytes as Node sends a Latin-1 string: 0xFC alone is not UTF-8, C3 A9 is (é).
      ['Token \xfc', 'Invalid token header. Token string should not contain invalid characters.'],
      ['Token abc\xa0def', 'Invalid token header. Token string should not contain invalid characters.'],
      ['Token \xc3\xa9', 'Invalid token.'],
    ])('%j answers 401 %j, even on a public endpoint', async (header, detail) => {
      const response = await t.http.get('/api/posts/').set('Authorization', header);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ detail });
      expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    });

    it('refuses the token of a user made inactive: "User inactive or deleted."', async () => {
      const user = await t.createUser();
      const { header } = await tokenLogin(t, user);
      await t.db.kysely.updateTable('auth_user').set({ is_active: false }).where('id', '=', user.id).execute();
      const response = await t.http.get('/api/transactions/').set(header);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ detail: 'User inactive or deleted.' });
    });

    it('is not subject to CSRF, even when a session cookie rides along', async () => {
      const user = await t.createUser();
      const session = await sessionLogin(t, user);
      const { header } = await tokenLogin(t, user);
      const response = await t.http.post('/api/posts/').set(header).set('Cookie', session.cookie).send({ title: 't', body: 'b' });
      expect(response.status).toBe(201);
    });
  });

  it('reads repeated Authorization lines as Django behind gunicorn does: joined with ",", so malformed (401), never the first alone', async () => {
    const user = await t.createUser();
    const { key } = await tokenLogin(t, user);
    const { Authorization: bearer } = await t.bearer(user);
    const basic = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
    /** A GET with one Authorization line per value (supertest and fetch send one line). */
    const withLines = (path: string, lines: string[]) =>
      new Promise<{ status: number; challenge: string | undefined; body: unknown }>((resolve, reject) => {
        get(`${t.baseUrl}${path}`, { headers: { Authorization: lines } }, (response) => {
          let text = '';
          response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          response.on('end', () => resolve({ status: response.statusCode!, challenge: response.headers['www-authenticate'], body: JSON.parse(text) as unknown }));
        }).on('error', reject);
      });
    const badBearer = { detail: 'Authorization header must contain two space-delimited values', code: 'bad_authorization_header' };
    const tokenSpaces = { detail: 'Invalid token header. Token string should not contain spaces.' };
    const bearerChallenge = 'Bearer realm="api"';
    // The reference's answers, request by request.
    for (const [path, lines, status, challenge, body] of [
      ['/api/transactions/', [bearer, bearer], 401, bearerChallenge, badBearer],
      ['/api/transactions/', [bearer, `Token ${key}`], 401, bearerChallenge, badBearer],
      ['/api/transactions/', [`Token ${key}`, `Token ${key}`], 401, bearerChallenge, tokenSpaces],
      ['/api/transactions/', [`Token ${key}`, bearer], 401, bearerChallenge, tokenSpaces],
      ['/api/profile/', [`Token ${key}`, `Token ${key}`], 401, 'Token', tokenSpaces],
      ['/api/profile/', [`Token ${key}`, bearer], 401, 'Token', tokenSpaces],
      ['/api/transactions/', [basic, basic], 401, bearerChallenge, notProvided],
    ] as const) {
      expect(await withLines(path, [...lines]), `${path} ${lines.map((line) => line.split(' ')[0]).join(' + ')}`).toEqual({ status, challenge, body });
    }
    // An unknown scheme first: the request is anonymous, as ever.
    expect((await withLines('/api/posts/', [basic, bearer])).status).toBe(200);
  });

  it('stores no key in the database: only its SHA-256 digest', async () => {
    const user = await t.createUser();
    const keys = [(await tokenLogin(t, user)).key, ((await t.http.post('/api-token-auth/').send(user)).body as { token: string }).token];
    const { rows } = await sql<Record<string, unknown>>`SELECT * FROM authtoken_token WHERE user_id = ${user.id}`.execute(t.db.kysely);
    expect(rows).toHaveLength(2);
    const table = JSON.stringify(rows);
    for (const key of keys) {
      expect(table).not.toContain(key);
      expect(table).not.toContain(key.slice(0, 12));
    }
    expect(rows.map((row) => row.digest).sort()).toEqual(keys.map(sha256).sort());
  });

  describe('TOKEN_TTL', () => {
    it('without one (the default, as DRF), a token never expires', async () => {
      const user = await t.createUser();
      const { key, header } = await tokenLogin(t, user);
      await t.db.kysely.updateTable('authtoken_token').set({ created_at: new Date('2000-01-01T00:00:00Z') }).where('digest', '=', sha256(key)).execute();
      expect((await t.http.get('/auth/users/me/').set(header)).status).toBe(200);
    });

    it('with one, an older token is refused as "Invalid token." and deleted', async () => {
      const expiring = request(createApp(testConfig({ tokenTtl: 3600 }), t.db));
      const user = await t.createUser();
      const fresh = await tokenLogin(t, user);
      const old = await tokenLogin(t, user);
      await t.db.kysely.updateTable('authtoken_token').set({ created_at: new Date(Date.now() - 3601 * 1000) }).where('digest', '=', sha256(old.key)).execute();

      expect((await expiring.get('/auth/users/me/').set(fresh.header)).status).toBe(200);
      const response = await expiring.get('/auth/users/me/').set(old.header);
      expect(response.status).toBe(401);
      expect(response.body).toEqual(invalidToken);
      expect(await countRows(t.db, 'authtoken_token', { digest: sha256(old.key) })).toBe(0);
    });
  });
});
