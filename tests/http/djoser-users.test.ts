// Djoser's user endpoints over HTTP: register, me (read, update, delete), set_password, set_username,
// list and detail, with Djoser's fields and messages and Django's password validators;
// and the revocation of every credential when the password changes or the account goes.
import { createHmac, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { testConfig, useTestApp } from '../support/app.js';
import { sessionLogin, tokenLogin } from '../support/auth.js';
import { describeWithDatabase } from '../support/suite.js';
import { countRows } from '../support/databases.js';

type Json = Record<string, unknown>;
const required = 'This field is required.';
const invalidPassword = { current_password: ['Invalid password.'] };
const notFound = { detail: 'Not found.' };

/** An access token signed with the test key, issued `secondsAgo` seconds ago. */
function accessTokenIssuedAgo(userId: number, secondsAgo: number): string {
  const iat = Math.floor(Date.now() / 1000) - secondsAgo;
  const part = (value: Json) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const claims = { token_type: 'access', exp: iat + 900, iat, jti: randomUUID().replaceAll('-', ''), user_id: userId };
  const input = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${input}.${createHmac('sha256', testConfig().secretKey).update(input).digest('base64url')}`;
}

describeWithDatabase('Djoser user endpoints over HTTP', () => {
  const t = useTestApp();

  describe('register: POST /auth/users/', () => {
    it('answers 201 with UserCreateSerializer\'s fields (email, username, id) and stores a hashed password', async () => {
      const response = await t.http.post('/auth/users/').send({ username: 'newcomer', password: 'plenty-long passphrase', email: 'New@Example.COM' });
      expect(response.status).toBe(201);
      expect(Object.keys(response.body as object)).toEqual(['email', 'username', 'id']);
      // Django's normalize_email lowercases the domain only.
      expect(response.body).toEqual({ email: 'New@example.com', username: 'newcomer', id: expect.any(Number) });
      const row = await t.db.kysely.selectFrom('auth_user').select(['password', 'email', 'is_active as isActive', 'is_staff as isStaff', 'is_superuser as isSuperuser']).where('username', '=', 'newcomer').executeTakeFirstOrThrow();
      expect(row.password).toMatch(/^bcrypt_sha256\$\$2b\$04\$/);
      expect({ isStaff: row.isStaff, isSuperuser: row.isSuperuser, isActive: row.isActive }).toEqual({ isStaff: false, isSuperuser: false, isActive: true });
      expect((await t.login({ username: 'newcomer', password: 'plenty-long passphrase' })).access).toBeTruthy();
    });

    it('the email is optional', async () => {
      const response = await t.http.post('/auth/users/').type('form').send({ username: 'no-email', password: 'plenty-long passphrase' });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ email: '', username: 'no-email', id: expect.any(Number) });
    });

    it.each<[string, Json, Json]>([
      ['nothing', {}, { username: [required], password: [required] }],
      ['a bad username and email', { username: 'no spaces!', email: 'not-an-email', password: 'plenty-long passphrase' }, {
        email: ['Enter a valid email address.'],
        username: ['Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.'],
      }],
      ['a username too long', { username: 'u'.repeat(151), password: 'plenty-long passphrase' }, { username: ['Ensure this field has no more than 150 characters.'] }],
      ['a short, common, numeric password', { username: 'numbers', password: '1234567' }, {
        password: ['This password is too short. It must contain at least 8 characters.', 'This password is too common.', 'This password is entirely numeric.'],
      }],
      ['a password like the username', { username: 'marguerite', password: 'Marguerite1' }, { password: ['The password is too similar to the username.'] }],
      ['a password like the email', { username: 'zed', email: 'sunflower.field@example.com', password: 'sunflowerfield' }, {
        password: ['The password is too similar to the email address.'],
      }],
      ['a blank password', { username: 'blank', password: '   ' }, { password: ['This field may not be blank.'] }],
    ])('refuses %s with 400 and the fields\' messages, creating nothing', async (_case, body, errors) => {
      const before = await countRows(t.db, 'auth_user');
      const response = await t.http.post('/auth/users/').send(body);
      expect(response.status).toBe(400);
      expect(response.body).toEqual(errors);
      expect(await countRows(t.db, 'auth_user')).toBe(before);
    });

    it('refuses a taken username (also in another Unicode form), reported with the other fields\' errors', async () => {
      await t.http.post('/auth/users/').send({ username: 'taken', password: 'plenty-long passphrase' }).expect(201);
      const response = await t.http.post('/auth/users/').send({ username: 'taken', email: 'bad' });
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ email: ['Enter a valid email address.'], username: ['A user with that username already exists.'], password: [required] });
      // NFKC: the fullwidth ｔａｋｅｎ is the same username.
      const lookalike = await t.http.post('/auth/users/').send({ username: 'ｔａｋｅｎ', password: 'plenty-long passphrase' });
      expect(lookalike.body).toEqual({ username: ['A user with that username already exists.'] });
    });

    it('of two concurrent registrations of one username, exactly one succeeds and the other gets the unique message', async () => {
      const attempts = await Promise.all(
        [1, 2, 3].map(() => t.http.post('/auth/users/').send({ username: 'race', password: 'plenty-long passphrase' })),
      );
      expect(attempts.map((r) => r.status).sort()).toEqual([201, 400, 400]);
      for (const r of attempts.filter((a) => a.status === 400)) expect(r.body).toEqual({ username: ['A user with that username already exists.'] });
      expect(t.errors).toEqual([]);
    });
  });

  describe('me: /auth/users/me/', () => {
    it('GET answers UserSerializer\'s fields (email, id, username) for every scheme', async () => {
      const user = await t.createUser({ email: 'me@example.com' });
      const expected = { email: 'me@example.com', id: user.id, username: user.username };
      const token = await tokenLogin(t, user);
      const session = await sessionLogin(t, user);
      for (const [header, value] of [
        ['Authorization', (await t.bearer(user)).Authorization],
        ['Authorization', token.header.Authorization],
        ['Cookie', session.cookie],
      ] as const) {
        const response = await t.http.get('/auth/users/me/').set(header, value);
        expect(response.status).toBe(200);
        expect(Object.keys(response.body as object)).toEqual(['email', 'id', 'username']);
        expect(response.body).toEqual(expected);
      }
    });

    it('anonymous: 401 with the Bearer challenge', async () => {
      const response = await t.http.get('/auth/users/me/');
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ detail: 'Authentication credentials were not provided.' });
      expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    });

    it('PUT and PATCH change the email only (username and id are read-only)', async () => {
      const user = await t.createUser({ email: 'old@example.com' });
      const auth = await t.bearer(user);
      const patched = await t.http.patch('/auth/users/me/').set(auth).send({ email: 'new@Example.org', username: 'hijack', id: 999 });
      expect(patched.status).toBe(200);
      // Unlike registration (create_user's normalize_email), an update keeps the domain's case, as DRF.
      expect(patched.body).toEqual({ email: 'new@Example.org', id: user.id, username: user.username });
      const put = await t.http.put('/auth/users/me/').set(auth).send({});
      expect(put.body).toEqual({ email: 'new@Example.org', id: user.id, username: user.username });
      const trimmed = await t.http.put('/auth/users/me/').set(auth).send({ email: ' Spaced@EXAMPLE.COM\n' });
      expect(trimmed.body).toEqual({ email: 'Spaced@EXAMPLE.COM', id: user.id, username: user.username });
      const cleared = await t.http.put('/auth/users/me/').set(auth).send({ email: '' });
      expect(cleared.body).toEqual({ email: '', id: user.id, username: user.username });

      const bad = await t.http.patch('/auth/users/me/').set(auth).send({ email: 'nope' });
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ email: ['Enter a valid email address.'] });
      expect((await t.db.kysely.selectFrom('auth_user').select('email').where('id', '=', user.id).executeTakeFirstOrThrow()).email).toBe('');
    });

    it('DELETE needs the current password', async () => {
      const user = await t.createUser();
      const auth = await t.bearer(user);
      const missing = await t.http.delete('/auth/users/me/').set(auth);
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({ current_password: [required] });
      const wrong = await t.http.delete('/auth/users/me/').set(auth).send({ current_password: 'not it' });
      expect(wrong.status).toBe(400);
      expect(wrong.body).toEqual(invalidPassword);
      expect(await countRows(t.db, 'auth_user', { id: user.id })).toBe(1);
    });

    it('DELETE removes the account and with it every credential it had', async () => {
      const user = await t.createUser();
      const pair = await t.login(user);
      const token = await tokenLogin(t, user);
      const session = await sessionLogin(t, user);
      const response = await t.http.delete('/auth/users/me/').set(token.header).send({ current_password: user.password });
      expect(response.status).toBe(204);
      expect(await countRows(t.db, 'auth_user', { id: user.id })).toBe(0);

      expect((await t.http.get('/auth/users/me/').set(token.header)).body).toEqual({ detail: 'Invalid token.' });
      expect((await t.http.get('/auth/users/me/').set('Authorization', `Bearer ${pair.access}`)).body).toEqual({ detail: 'User not found', code: 'user_not_found' });
      expect((await t.http.get('/api/dashboard/').set('Cookie', session.cookie)).status).toBe(403);
      const refresh = await t.http.post('/api/token/refresh/').send({ refresh: pair.refresh });
      expect(refresh.status).toBe(401);
      expect((await t.http.post('/api/token/').send(user)).status).toBe(401);
    });
  });

  describe('set_password: POST /auth/users/set_password/', () => {
    it('answers Djoser\'s field errors', async () => {
      const user = await t.createUser();
      const auth = await t.bearer(user);
      const post = (body: Json) => t.http.post('/auth/users/set_password/').set(auth).send(body);
      expect((await post({})).body).toEqual({ new_password: [required], current_password: [required] });
      expect((await post({ current_password: 'wrong' })).body).toEqual({ new_password: [required], ...invalidPassword });
      // The new password is validated only once the fields are valid.
      expect((await post({ current_password: 'wrong', new_password: '123' })).body).toEqual(invalidPassword);
      const weak = await post({ current_password: user.password, new_password: user.username });
      expect(weak.status).toBe(400);
      expect(weak.body).toEqual({ new_password: ['The password is too similar to the username.'] });
      expect((await t.http.post('/api/token/').send(user)).status).toBe(200);
    });

    it('anonymous: 401', async () => {
      expect((await t.http.post('/auth/users/set_password/').send({ new_password: 'x', current_password: 'y' })).status).toBe(401);
    });

    it('answers 204 and revokes every DRF token, session, refresh token and older access token of the user', async () => {
      const user = await t.createUser();
      const other = await t.createUser();
      const pairs = [await t.login(user), await t.login(user)];
      const tokens = [await tokenLogin(t, user), await tokenLogin(t, user)];
      const session = await sessionLogin(t, user);
      const olderAccess = { Authorization: `Bearer ${accessTokenIssuedAgo(user.id, 5)}` };
      const othersToken = await tokenLogin(t, other);
      const othersPair = await t.login(other);
      expect((await t.http.get('/auth/users/me/').set(olderAccess)).status).toBe(200);

      const response = await t.http
        .post('/auth/users/set_password/')
        .set(tokens[0]!.header)
        .send({ current_password: user.password, new_password: 'a completely new passphrase' });
      expect(response.status).toBe(204);
      expect(response.text).toBe('');

      for (const { header } of tokens) expect((await t.http.get('/auth/users/me/').set(header)).body).toEqual({ detail: 'Invalid token.' });
      expect((await t.http.get('/api/dashboard/').set('Cookie', session.cookie)).status).toBe(403);
      for (const pair of pairs) {
        const refresh = await t.http.post('/api/token/refresh/').send({ refresh: pair.refresh });
        expect(refresh.status).toBe(401);
        expect(refresh.body).toEqual({ detail: 'Token is blacklisted', code: 'token_not_valid' });
      }
      const access = await t.http.get('/auth/users/me/').set(olderAccess);
      expect(access.status).toBe(401);
      expect(access.body).toEqual({
        detail: 'Given token not valid for any token type',
        code: 'token_not_valid',
        messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is blacklisted' }],
      });
      expect(await countRows(t.db, 'authtoken_token', { user_id: user.id })).toBe(0);
      expect(await countRows(t.db, 'django_session', { user_id: user.id })).toBe(0);

      // The old password is gone, the new one works everywhere, and other users are untouched.
      expect((await t.http.post('/api/token/').send(user)).status).toBe(401);
      const fresh = await t.login({ username: user.username, password: 'a completely new passphrase' });
      expect((await t.http.get('/auth/users/me/').set('Authorization', `Bearer ${fresh.access}`)).status).toBe(200);
      expect((await t.http.get('/auth/users/me/').set(othersToken.header)).status).toBe(200);
      expect((await t.http.post('/api/token/refresh/').send({ refresh: othersPair.refresh })).status).toBe(200);
    });
  });

  describe('set_username: POST /auth/users/set_username/', () => {
    it('answers 204; the new username logs in, the old one no longer does; credentials stay', async () => {
      const user = await t.createUser();
      const { header } = await tokenLogin(t, user);
      const newName = `renamed-${user.username}`;
      const response = await t.http.post('/auth/users/set_username/').set(header).send({ current_password: user.password, new_username: newName });
      expect(response.status).toBe(204);
      expect(response.text).toBe('');
      expect((await t.http.get('/auth/users/me/').set(header)).body).toMatchObject({ id: user.id, username: newName });
      expect((await t.http.post('/api/token/').send({ username: newName, password: user.password })).status).toBe(200);
      expect((await t.http.post('/api/token/').send({ username: user.username, password: user.password })).status).toBe(401);
    });

    it("answers Djoser's field errors (current_password first) and changes nothing", async () => {
      const user = await t.createUser();
      const other = await t.createUser();
      const auth = await t.bearer(user);
      const post = (body: Json) => t.http.post('/auth/users/set_username/').set(auth).send(body);
      expect((await post({})).body).toEqual({ current_password: [required], new_username: [required] });
      expect((await post({ current_password: 'wrong', new_username: 'fresh-name' })).body).toEqual(invalidPassword);
      const taken = { new_username: ['A user with that username already exists.'] };
      expect((await post({ current_password: user.password, new_username: other.username })).body).toEqual(taken);
      // The model's UniqueValidator has no instance here: the caller's own name is taken too.
      expect((await post({ current_password: user.password, new_username: user.username })).body).toEqual(taken);
      expect((await post({ current_password: user.password, new_username: 'has space' })).body).toEqual({
        new_username: ['Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.'],
      });
      expect((await post({ current_password: user.password, new_username: 'x'.repeat(151) })).body).toEqual({
        new_username: ['Ensure this field has no more than 150 characters.'],
      });
      expect((await t.http.get('/auth/users/me/').set(auth)).body.username).toBe(user.username);
    });

    it('anonymous: 401; GET: 405', async () => {
      expect((await t.http.post('/auth/users/set_username/').send({ current_password: 'x', new_username: 'y' })).status).toBe(401);
      const user = await t.createUser();
      const get = await t.http.get('/auth/users/set_username/').set(await t.bearer(user));
      expect(get.status).toBe(405);
      expect(get.headers.allow).toBe('POST, OPTIONS');
    });
  });

  describe('list and detail: /auth/users/, /auth/users/{id}/', () => {
    it('a user lists only themselves, in a page of one; page 2 is 404', async () => {
      const user = await t.createUser({ email: 'u@example.com' });
      const auth = await t.bearer(user);
      const mine = await t.http.get('/auth/users/').set(auth);
      expect(mine.status).toBe(200);
      expect(mine.text).toBe(
        JSON.stringify({ count: 1, next: null, previous: null, results: [{ email: 'u@example.com', id: user.id, username: user.username }] }),
      );
      for (const page of ['2', '0', 'abc']) {
        const beyond = await t.http.get(`/auth/users/?page=${page}`).set(auth);
        expect({ status: beyond.status, body: beyond.body }, page).toEqual({ status: 404, body: { detail: 'Invalid page.' } });
      }
      expect((await t.http.get('/auth/users/?page=last').set(auth)).body).toEqual(mine.body);
      expect((await t.http.get('/auth/users/')).status).toBe(401);
    });

    it('an admin lists everyone by id, 10 a page or ?page_size=N, with DRF links, paged in SQL', async () => {
      const admin = await t.createUser({ isStaff: true });
      // Usernames sorting against the ids: the order must come from the id.
      for (let i = 0; i < 12; i++) await t.createUser({ username: `zz-paged-${String(20 - i).padStart(2, '0')}` });
      const auth = await t.bearer(admin);
      const everyone = (await t.db.kysely.selectFrom('auth_user').select(['id', 'username', 'email']).orderBy('id').execute()).map((u) => ({
        email: u.email,
        id: u.id,
        username: u.username,
      }));
      expect(everyone.length).toBeGreaterThan(12);

      const first = await t.http.get('/auth/users/').set(auth);
      const host = first.request.url.replace(/\/auth\/.*$/, '');
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ count: everyone.length, next: `${host}/auth/users/?page=2`, previous: null, results: everyone.slice(0, 10) });

      t.queries.reset();
      const second = await t.http.get('/auth/users/?page_size=4&page=2').set(auth);
      expect(second.body).toEqual({
        count: everyone.length,
        next: `${host}/auth/users/?page=3&page_size=4`,
        previous: `${host}/auth/users/?page_size=4`,
        results: everyone.slice(4, 8),
      });
      // The page is read with LIMIT/OFFSET, not every user sliced in memory.
      expect(t.queries.statements.some((statement) => /LIMIT 4 OFFSET/i.test(statement))).toBe(true);

      const pages = Math.ceil(everyone.length / 4);
      const last = await t.http.get('/auth/users/?page=last&page_size=4').set(auth);
      expect(last.body).toMatchObject({ next: null, previous: `${host}/auth/users/?page=${pages - 1}&page_size=4`, results: everyone.slice((pages - 1) * 4) });
      const beyond = await t.http.get(`/auth/users/?page=${pages + 1}&page_size=4`).set(auth);
      expect({ status: beyond.status, body: beyond.body }).toEqual({ status: 404, body: { detail: 'Invalid page.' } });
    });

    it('orders by ?ordering= over UserSerializer\'s fields (email, id, username), as the default OrderingFilter does', async () => {
      const admin = await t.createUser({ isStaff: true });
      const auth = await t.bearer(admin);
      // Usernames, emails and ids in three different orders.
      const made = [
        await t.createUser({ username: 'zz-order-b', email: 'c@order.example' }),
        await t.createUser({ username: 'zz-order-c', email: 'a@order.example' }),
        await t.createUser({ username: 'zz-order-a', email: 'b@order.example' }),
      ].map((u) => u.username);
      const usernames = async (ordering: string) =>
        (await t.http.get('/auth/users/').query({ ordering, page_size: 100 }).set(auth)).body.results
          .map((u: { username: string }) => u.username)
          .filter((name: string) => made.includes(name));
      expect(await usernames('username')).toEqual(['zz-order-a', 'zz-order-b', 'zz-order-c']);
      expect(await usernames('-username')).toEqual(['zz-order-c', 'zz-order-b', 'zz-order-a']);
      expect(await usernames('email')).toEqual(['zz-order-c', 'zz-order-a', 'zz-order-b']);
      expect(await usernames('-email')).toEqual(['zz-order-b', 'zz-order-a', 'zz-order-c']);
      expect(await usernames('-id')).toEqual(['zz-order-a', 'zz-order-c', 'zz-order-b']);
      expect(await usernames('\x1c-id\x85')).toEqual(['zz-order-a', 'zz-order-c', 'zz-order-b']);
      expect(await usernames('nope,-id')).toEqual(['zz-order-a', 'zz-order-c', 'zz-order-b']);
      // Not a field of the serializer, or not a term: by id.
      for (const ignored of ['password', '-is_staff', '-date_joined', '--id', '\ufeff-id']) {
        expect(await usernames(ignored), ignored).toEqual(['zz-order-b', 'zz-order-c', 'zz-order-a']);
      }
      const first = await t.http.get('/auth/users/?ordering=-id&page_size=1').set(auth);
      const host = first.request.url.replace(/\/auth\/.*$/, '');
      expect(first.body.next).toBe(`${host}/auth/users/?ordering=-id&page=2&page_size=1`);
    });

    it('a user reaches only their own detail: another user is 404, but 403 to DELETE (as Djoser); an admin reaches anyone', async () => {
      const user = await t.createUser();
      const other = await t.createUser({ email: 'other@example.com' });
      const admin = await t.createUser({ isStaff: true });
      const auth = await t.bearer(user);
      expect((await t.http.get(`/auth/users/${user.id}/`).set(auth)).body).toEqual({ email: '', id: user.id, username: user.username });
      // The id as Python's int() reads it, as the reference answers /auth/users/%EF%BC%93/ (fullwidth 3).
      const fullwidth = encodeURIComponent(String(user.id).replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))));
      expect((await t.http.get(`/auth/users/%C2%85${fullwidth}/`).set(auth)).body).toEqual({ email: '', id: user.id, username: user.username });
      for (const path of [`/auth/users/${other.id}/`, '/auth/users/999999/', '/auth/users/abc/']) {
        for (const method of ['get', 'put', 'patch'] as const) {
          const response = await t.http[method](path).set(auth).send({ email: 'x@example.com' });
          expect({ status: response.status, body: response.body }, `${method} ${path}`).toEqual({ status: 404, body: notFound });
        }
      }
      // Djoser's HIDE_USERS hides the account from retrieve and update only: destroy keeps CurrentUserOrAdmin's 403,
      // before the body is validated; an unknown id is 404.
      for (const body of [{}, { current_password: 'wrong' }, { current_password: user.password }]) {
        const response = await t.http.delete(`/auth/users/${other.id}/`).set(auth).send(body);
        expect({ status: response.status, body: response.body }).toEqual({ status: 403, body: { detail: 'You do not have permission to perform this action.' } });
      }
      expect(await countRows(t.db, 'auth_user', { id: other.id })).toBe(1);
      for (const path of ['/auth/users/999999/', '/auth/users/abc/']) {
        const response = await t.http.delete(path).set(auth).send({ current_password: user.password });
        expect({ status: response.status, body: response.body }, path).toEqual({ status: 404, body: notFound });
      }
      const adminAuth = await t.bearer(admin);
      const missing = await t.http.delete('/auth/users/999999/').set(adminAuth).send({ current_password: 'wrong' });
      expect({ status: missing.status, body: missing.body }).toEqual({ status: 404, body: notFound });
      const byAdmin = await t.http.get(`/auth/users/${other.id}`).set(adminAuth);
      expect(byAdmin.body).toEqual({ email: 'other@example.com', id: other.id, username: other.username });
      expect((await t.http.get(`/auth/users/${user.id}/`)).status).toBe(401);
    });

    it('an admin may change and delete another user (with the admin\'s own current password), as Djoser allows', async () => {
      const other = await t.createUser();
      const admin = await t.createUser({ isStaff: true, password: 'the admin passphrase' });
      const auth = await t.bearer(admin);
      const patched = await t.http.patch(`/auth/users/${other.id}/`).set(auth).send({ email: 'fixed@example.com' });
      expect(patched.body).toEqual({ email: 'fixed@example.com', id: other.id, username: other.username });
      expect((await t.http.delete(`/auth/users/${other.id}/`).set(auth).send({ current_password: other.password })).body).toEqual(invalidPassword);
      expect((await t.http.delete(`/auth/users/${other.id}/`).set(auth).send({ current_password: admin.password })).status).toBe(204);
      expect(await countRows(t.db, 'auth_user', { id: other.id })).toBe(0);
    });
  });
});
