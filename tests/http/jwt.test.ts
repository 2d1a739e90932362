// SimpleJWT over HTTP, against the real app and database: the four token views
// (obtain, refresh, verify, blacklist) and their Djoser aliases, JWTAuthentication on
// resources, and every rejection with SimpleJWT's exact status and body. Tokens are
// decoded and forged by hand (base64url + HMAC), never with a JWT library, so these
// tests check the wire format rather than agree with the implementation's own decoder.
import { createHmac, randomUUID } from 'node:crypto';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { type TestApp, testConfig, useTestApp } from '../support/app.js';
import { describeWithDatabase } from '../support/suite.js';

type Json = Record<string, unknown>;
interface Claims {
  token_type: string;
  exp: number;
  iat: number;
  jti: string;
  user_id: number;
}

const signingKey = testConfig().secretKey;
const now = () => Math.floor(Date.now() / 1000);

const encodePart = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const decodePart = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Json;

function decode(token: string): { header: Json; claims: Claims; signature: string } {
  const parts = token.split('.');
  expect(parts).toHaveLength(3);
  return { header: decodePart(parts[0]!), claims: decodePart(parts[1]!) as unknown as Claims, signature: parts[2]! };
}

/**
 * A token built by hand: HS256/HS512 signed with `key`, or `alg: none` with an empty signature.
 * The payload is usually an object of claims; any other JSON value makes a token PyJWT refuses.
 */
function forge(claims: unknown, options: { alg?: 'HS256' | 'HS512' | 'none'; key?: string } = {}): string {
  const alg = options.alg ?? 'HS256';
  const signingInput = `${encodePart({ alg, typ: 'JWT' })}.${encodePart(claims)}`;
  if (alg === 'none') return `${signingInput}.`;
  const hmac = createHmac(alg === 'HS512' ? 'sha512' : 'sha256', options.key ?? signingKey);
  return `${signingInput}.${hmac.update(signingInput).digest('base64url')}`;
}

function freshClaims(type: 'access' | 'refresh', userId: number, overrides: Json = {}): Json {
  const iat = now();
  return { token_type: type, exp: iat + (type === 'access' ? 900 : 86400), iat, jti: randomUUID().replaceAll('-', ''), user_id: userId, ...overrides };
}

/** The token with its payload replaced, its original signature kept. */
function tamper(token: string, changes: Json): string {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  return `${header}.${encodePart({ ...decodePart(payload), ...changes })}.${signature}`;
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

// SimpleJWT's bodies.
const badCredentials = { detail: 'No active account found with the given credentials' };
const notValidForAnyType = (message: string) => ({
  detail: 'Given token not valid for any token type',
  code: 'token_not_valid',
  messages: [{ token_class: 'AccessToken', token_type: 'access', message }],
});
const invalidOrExpired = { detail: 'Token is invalid or expired', code: 'token_not_valid' };
const blacklisted = { detail: 'Token is blacklisted', code: 'token_not_valid' };
const wrongType = { detail: 'Token has wrong type', code: 'token_not_valid' };
const noActiveAccount = { detail: 'No active account found for the given token.' };
const badHeader = { detail: 'Authorization header must contain two space-delimited values', code: 'bad_authorization_header' };
const required = 'This field is required.';
const blank = 'This field may not be blank.';

const obtainPaths = ['/api/token/', '/api/token', '/auth/jwt/create/', '/auth/jwt/create'];
const refreshPaths = ['/api/token/refresh/', '/api/token/refresh', '/auth/jwt/refresh/', '/auth/jwt/refresh'];
const verifyPaths = ['/api/token/verify/', '/api/token/verify', '/auth/jwt/verify/', '/auth/jwt/verify'];
const blacklistPaths = ['/api/token/blacklist/', '/api/token/blacklist'];
/** A private resource and a public one: a bad token is a 401 on both. */
const resources = ['/api/transactions/', '/api/posts/'];

function expectJson(response: request.Response): void {
  expect(response.headers['content-type']).toMatch(/^application\/json/);
}

describeWithDatabase('JWT (SimpleJWT) over HTTP', () => {
  const t = useTestApp();

  /** A fresh user and a pair obtained through /api/token/. */
  async function userWithTokens(fields: Parameters<TestApp['createUser']>[0] = {}) {
    const user = await t.createUser(fields);
    return { user, ...(await t.login(user)) };
  }

  const refresh = (token: string, path = '/api/token/refresh/') => t.http.post(path).send({ refresh: token });
  const verify = (token: string, path = '/api/token/verify/') => t.http.post(path).send({ token });
  const blacklist = (token: string, path = '/api/token/blacklist/') => t.http.post(path).send({ refresh: token });

  describe('obtain: POST /api/token/, /auth/jwt/create/', () => {
    it.each(obtainPaths)('%s answers 200 {"refresh","access"} with SimpleJWT claims', async (path) => {
      const user = await t.createUser();
      const before = now();
      const response = await t.http.post(path).send({ username: user.username, password: user.password });
      const after = now();
      expect(response.status).toBe(200);
      expectJson(response);
      expect(Object.keys(response.body as Json)).toEqual(['refresh', 'access']);
      const { refresh: refreshToken, access } = response.body as { refresh: string; access: string };

      const r = decode(refreshToken);
      const a = decode(access);
      for (const token of [r, a]) {
        expect(token.header).toStrictEqual({ alg: 'HS256', typ: 'JWT' });
        expect(Object.keys(token.claims).sort()).toEqual(['exp', 'iat', 'jti', 'token_type', 'user_id']);
        expect(token.claims.user_id).toBe(user.id);
        expect(typeof token.claims.user_id).toBe('number');
        expect(token.claims.jti).toMatch(/^[0-9a-f]{32}$/);
        expect(Number.isInteger(token.claims.iat)).toBe(true);
        expect(token.claims.iat).toBeGreaterThanOrEqual(before);
        expect(token.claims.iat).toBeLessThanOrEqual(after);
        expect(token.signature).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes of HMAC-SHA256, unpadded
      }
      expect(r.claims.token_type).toBe('refresh');
      expect(a.claims.token_type).toBe('access');
      expect(a.claims.exp - a.claims.iat).toBe(900);
      expect(r.claims.exp - r.claims.iat).toBe(86400);
      expect(a.claims.jti).not.toBe(r.claims.jti);

      expect((await t.http.get('/api/transactions/').set(bearer(access))).status).toBe(200);
    });

    it('signs with HMAC-SHA256 over the secret key (a hand-computed signature matches)', async () => {
      const { access, refresh: refreshToken } = await userWithTokens();
      for (const token of [access, refreshToken]) {
        const [header, payload, signature] = token.split('.') as [string, string, string];
        expect(signature).toBe(createHmac('sha256', signingKey).update(`${header}.${payload}`).digest('base64url'));
      }
    });

    it('issues a different pair on every login', async () => {
      const user = await t.createUser();
      const first = await t.login(user);
      const second = await t.login(user);
      expect(decode(first.refresh).claims.jti).not.toBe(decode(second.refresh).claims.jti);
      expect(decode(first.access).claims.jti).not.toBe(decode(second.access).claims.jti);
    });

    it.each([
      ['a wrong password', async () => ({ username: (await t.createUser()).username, password: 'wrong password!' })],
      ['an unknown user', async () => ({ username: 'nobody-by-that-name', password: 'correct horse battery' })],
      ['an inactive user (right password)', async () => {
        const user = await t.createUser({ isActive: false });
        return { username: user.username, password: user.password };
      }],
    ])('answers 401 for %s', async (_case, credentials) => {
      for (const path of ['/api/token/', '/auth/jwt/create/']) {
        const response = await t.http.post(path).send(await credentials());
        expect(response.status).toBe(401);
        expectJson(response);
        expect(response.body).toStrictEqual(badCredentials);
        expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
      }
    });

    it('answers 400 for missing fields, JSON or empty body', async () => {
      for (const send of [(r: request.Test) => r.send({}), (r: request.Test) => r]) {
        const response = await send(t.http.post('/api/token/'));
        expect(response.status).toBe(400);
        expect(response.body).toStrictEqual({ username: [required], password: [required] });
      }
      const onlyUsername = await t.http.post('/auth/jwt/create/').send({ username: 'someone' });
      expect(onlyUsername.status).toBe(400);
      expect(onlyUsername.body).toStrictEqual({ password: [required] });
    });

    it('answers 400 for blank fields', async () => {
      const response = await t.http.post('/api/token/').send({ username: '', password: '   ' });
      expect(response.status).toBe(400);
      expect(response.body).toStrictEqual({ username: [blank], password: [blank] });
    });

    it('answers 400 for a JSON list body', async () => {
      const response = await t.http.post('/api/token/').send([{ username: 'a', password: 'b' }]);
      expect(response.status).toBe(400);
      expect(response.body).toStrictEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
    });

    it('answers 400 "JSON parse error - …" for malformed JSON', async () => {
      const response = await t.http.post('/api/token/').set('Content-Type', 'application/json').send('{"username": "a",');
      expect(response.status).toBe(400);
      expectJson(response);
      expect(Object.keys(response.body as Json)).toEqual(['detail']);
      expect((response.body as { detail: string }).detail).toMatch(/^JSON parse error - ./);
    });

    it('accepts a form-encoded body', async () => {
      const user = await t.createUser();
      const response = await t.http
        .post('/auth/jwt/create/')
        .type('form')
        .send(new URLSearchParams({ username: user.username, password: user.password }).toString());
      expect(response.status).toBe(200);
      expect(Object.keys(response.body as Json)).toEqual(['refresh', 'access']);
      expect(decode((response.body as { access: string }).access).claims.user_id).toBe(user.id);
    });

    it.each(['/api/token/', '/auth/jwt/create/'])('GET %s answers 405 with Allow: POST, OPTIONS', async (path) => {
      const response = await t.http.get(path);
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('POST, OPTIONS');
      expect(response.body).toStrictEqual({ detail: 'Method "GET" not allowed.' });
    });

    it('ignores an invalid Authorization header (token views have no authentication)', async () => {
      const user = await t.createUser();
      for (const authorization of ['Bearer garbage', 'Bearer', 'Bearer a b']) {
        const response = await t.http
          .post('/api/token/')
          .set('Authorization', authorization)
          .send({ username: user.username, password: user.password });
        expect(response.status).toBe(200);
      }
    });
  });

  describe('access token on resources (JWTAuthentication)', () => {
    it.each(resources)('GET %s with the access token answers 200', async (path) => {
      const { access } = await userWithTokens();
      const response = await t.http.get(path).set(bearer(access));
      expect(response.status).toBe(200);
    });

    it('GET /api/transactions/ without credentials answers 401 with WWW-Authenticate: Bearer realm="api"', async () => {
      const response = await t.http.get('/api/transactions/');
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
      expect(response.body).toStrictEqual({ detail: 'Authentication credentials were not provided.' });
    });

    it('a token forged by hand with the right key and HS256 is accepted (the forging helper is sound)', async () => {
      const user = await t.createUser();
      for (const path of resources) {
        const response = await t.http.get(path).set(bearer(forge(freshClaims('access', user.id))));
        expect(response.status).toBe(200);
      }
    });

    const rejected: [string, (userId: number, access: string, refresh: string) => Promise<string> | string, string][] = [
      ['alg: none', (userId) => forge(freshClaims('access', userId), { alg: 'none' }), 'Token is invalid or expired'],
      ['alg: none on a real token', (_id, access) => `${encodePart({ alg: 'none', typ: 'JWT' })}.${access.split('.')[1]}.`, 'Token is invalid or expired'],
      ['HS512 with the right key', (userId) => forge(freshClaims('access', userId), { alg: 'HS512' }), 'Token is invalid or expired'],
      ['HS256 with another key', (userId) => forge(freshClaims('access', userId), { key: 'another-secret-key-that-is-long-enough-0123456789' }), 'Token is invalid or expired'],
      ['a tampered payload (user_id changed)', async (_id, access) => tamper(access, { user_id: (await t.createUser()).id }), 'Token is invalid or expired'],
      ['an expired access token', (userId) => forge(freshClaims('access', userId, { iat: now() - 960, exp: now() - 60 })), 'Token is invalid or expired'],
      ['a refresh token', (_id, _access, refreshToken) => refreshToken, 'Token has wrong type'],
      // PyJWT's iat checks: a number, not in the future.
      ['an iat in the future', (userId) => forge(freshClaims('access', userId, { iat: now() + 120 })), 'Token is invalid or expired'],
      ['an iat that is not a number', (userId) => forge(freshClaims('access', userId, { iat: 'yesterday' as unknown as number })), 'Token is invalid or expired'],
      ['garbage', () => 'garbage', 'Token is invalid or expired'],
      ['three garbage segments', () => 'a.b.c', 'Token is invalid or expired'],
      // SimpleJWT's Token.verify looks for the jti before the token type.
      ['a refresh token without jti', (userId) => forge({ ...freshClaims('refresh', userId), jti: undefined }), 'Token has no id'],
      // PyJWT: "Invalid payload string: must be a json object", before any claim is looked at.
      ['a signed payload that is a JSON list', () => forge([1, 2]), 'Token is invalid or expired'],
    ];

    it.each(rejected)('%s answers 401 on resources, public ones included', async (_case, makeToken, message) => {
      const { user, access, refresh: refreshToken } = await userWithTokens();
      const token = await makeToken(user.id, access, refreshToken);
      for (const path of resources) {
        const response = await t.http.get(path).set(bearer(token));
        expect(response.status, path).toBe(401);
        expectJson(response);
        expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
        expect(response.body).toStrictEqual(notValidForAnyType(message));
      }
    });

    it.each(['Bearer', 'Bearer a b', 'Bearer  '])('Authorization: %j answers 401 bad_authorization_header', async (authorization) => {
      for (const path of resources) {
        const response = await t.http.get(path).set('Authorization', authorization);
        expect(response.status, path).toBe(401);
        expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
        expect(response.body).toStrictEqual(badHeader);
      }
    });

    it('a token of a deleted user answers 401 user_not_found', async () => {
      const { user, access } = await userWithTokens();
      await t.db.kysely.deleteFrom('auth_user').where('id', '=', user.id).execute();
      for (const path of resources) {
        const response = await t.http.get(path).set(bearer(access));
        expect(response.status, path).toBe(401);
        expect(response.body).toStrictEqual({ detail: 'User not found', code: 'user_not_found' });
      }
    });

    // JWTAuthentication.get_user runs User.objects.get(id=<claim>): Django's int() coercion of the
    // lookup value (the reference answers these; a value int() refuses is a 500 there).
    it.each([
      ['a numeric string', (id: number) => ` ${id} `],
      ['a float', (id: number) => id + 0.5],
    ])('a user_id claim that is %s names the user Django finds', async (_case, claimFor) => {
      const user = await t.createUser();
      for (const path of resources) {
        const response = await t.http.get(path).set(bearer(forge(freshClaims('access', user.id, { user_id: claimFor(user.id) }))));
        expect(response.status, path).toBe(200);
      }
    });

    it.each([
      ['null', null, { detail: 'User not found', code: 'user_not_found' }],
      ['beyond the id range', 1e30, { detail: 'User not found', code: 'user_not_found' }],
      ['false (id 0)', false, { detail: 'User not found', code: 'user_not_found' }],
      ['a string int() refuses', 'abc', { detail: 'Token contained no recognizable user identification', code: 'token_not_valid' }],
      ['a list', [1], { detail: 'Token contained no recognizable user identification', code: 'token_not_valid' }],
      ['an object', { id: 1 }, { detail: 'Token contained no recognizable user identification', code: 'token_not_valid' }],
    ])('a user_id claim that is %s answers 401, never a 500', async (_case, claim, body) => {
      for (const path of resources) {
        const response = await t.http.get(path).set(bearer(forge(freshClaims('access', 1, { user_id: claim }))));
        expect(response.status, path).toBe(401);
        expect(response.body).toStrictEqual(body);
      }
    });

    it('a token of a deactivated user answers 401 user_inactive', async () => {
      const { user, access } = await userWithTokens();
      await t.db.kysely.updateTable('auth_user').set({ is_active: false }).where('id', '=', user.id).execute();
      for (const path of resources) {
        const response = await t.http.get(path).set(bearer(access));
        expect(response.status, path).toBe(401);
        expect(response.body).toStrictEqual({ detail: 'User is inactive', code: 'user_inactive' });
      }
    });
  });

  describe('refresh: POST /api/token/refresh/, /auth/jwt/refresh/', () => {
    it.each(refreshPaths)('%s answers 200 {"access","refresh"}; the new tokens work, the old refresh is blacklisted', async (path) => {
      const { user, refresh: original } = await userWithTokens();
      const response = await refresh(original, path);
      expect(response.status).toBe(200);
      expectJson(response);
      expect(Object.keys(response.body as Json)).toEqual(['access', 'refresh']);
      const { access, refresh: rotated } = response.body as { access: string; refresh: string };

      const a = decode(access);
      const r = decode(rotated);
      const old = decode(original);
      expect(a.header).toStrictEqual({ alg: 'HS256', typ: 'JWT' });
      expect(r.header).toStrictEqual({ alg: 'HS256', typ: 'JWT' });
      expect(a.claims).toMatchObject({ token_type: 'access', user_id: user.id });
      expect(r.claims).toMatchObject({ token_type: 'refresh', user_id: user.id });
      expect(r.claims.exp - r.claims.iat).toBe(86400);
      expect(a.claims.exp).toBeGreaterThanOrEqual(now() + 900 - 5);
      expect(a.claims.exp).toBeLessThanOrEqual(now() + 900);
      expect(new Set([a.claims.jti, r.claims.jti, old.claims.jti]).size).toBe(3);
      for (const jti of [a.claims.jti, r.claims.jti]) expect(jti).toMatch(/^[0-9a-f]{32}$/);

      expect((await t.http.get('/api/transactions/').set(bearer(access))).status).toBe(200);
      expect((await verify(rotated)).status).toBe(200);

      const reused = await refresh(original, path);
      expect(reused.status).toBe(401);
      expect(reused.headers['www-authenticate']).toBe('Bearer realm="api"');
      expect(reused.body).toStrictEqual(blacklisted);

      const again = await refresh(rotated, path);
      expect(again.status).toBe(200);
    });

    it('an access token sent answers 401 "Token has wrong type"', async () => {
      const { access } = await userWithTokens();
      for (const path of ['/api/token/refresh/', '/auth/jwt/refresh/']) {
        const response = await refresh(access, path);
        expect(response.status).toBe(401);
        expect(response.body).toStrictEqual(wrongType);
      }
    });

    it.each([
      ['garbage', () => 'garbage'],
      ['an expired refresh token', (userId: number) => forge(freshClaims('refresh', userId, { iat: now() - 86460, exp: now() - 60 }))],
      ['a tampered refresh token', (_id: number, refreshToken: string) => tamper(refreshToken, { exp: now() + 10 * 86400 })],
      ['an alg: none refresh token', (userId: number) => forge(freshClaims('refresh', userId), { alg: 'none' })],
      ['an HS512 refresh token', (userId: number) => forge(freshClaims('refresh', userId), { alg: 'HS512' })],
      ['a refresh token signed with another key', (userId: number) => forge(freshClaims('refresh', userId), { key: 'x'.repeat(48) })],
    ])('%s answers 401 "Token is invalid or expired"', async (_case, makeToken) => {
      const { user, refresh: refreshToken } = await userWithTokens();
      for (const path of ['/api/token/refresh/', '/auth/jwt/refresh/']) {
        const response = await refresh(makeToken(user.id, refreshToken), path);
        expect(response.status).toBe(401);
        expectJson(response);
        expect(response.body).toStrictEqual(invalidOrExpired);
      }
      // The genuine token was not spent by the attempts.
      expect((await refresh(refreshToken)).status).toBe(200);
    });

    it('answers 400 for a missing or blank field', async () => {
      const missing = await t.http.post('/api/token/refresh/').send({});
      expect(missing.status).toBe(400);
      expect(missing.body).toStrictEqual({ refresh: [required] });
      const blankField = await t.http.post('/auth/jwt/refresh/').send({ refresh: '' });
      expect(blankField.status).toBe(400);
      expect(blankField.body).toStrictEqual({ refresh: [blank] });
    });

    it('GET answers 405 with Allow: POST, OPTIONS', async () => {
      const response = await t.http.get('/api/token/refresh/');
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('POST, OPTIONS');
      expect(response.body).toStrictEqual({ detail: 'Method "GET" not allowed.' });
    });

    it('the refresh token of a deleted user answers 401 no_active_account', async () => {
      const { user, refresh: refreshToken } = await userWithTokens();
      await t.db.kysely.deleteFrom('auth_user').where('id', '=', user.id).execute();
      const response = await refresh(refreshToken);
      expect(response.status).toBe(401);
      expect(response.body).toStrictEqual(noActiveAccount);
    });

    it.each([null, 1e30, 'abc', [1], { id: 1 }, 'true'])('a refresh token whose user_id claim is %j answers 401 no_active_account, never a 500', async (claim) => {
      const response = await refresh(forge(freshClaims('refresh', 1, { user_id: claim })));
      expect(response.status).toBe(401);
      expect(response.body).toStrictEqual(noActiveAccount);
    });

    it('a refresh token whose user_id is a numeric string refreshes for that user (Django\'s int() lookup)', async () => {
      const user = await t.createUser();
      const response = await refresh(forge(freshClaims('refresh', user.id, { user_id: String(user.id) })));
      expect(response.status).toBe(200);
      const { access } = response.body as { access: string };
      expect((await t.http.get('/api/transactions/').set(bearer(access))).status).toBe(200);
    });

    it('the refresh token of a deactivated user answers 401 no_active_account', async () => {
      const { user, refresh: refreshToken } = await userWithTokens();
      await t.db.kysely.updateTable('auth_user').set({ is_active: false }).where('id', '=', user.id).execute();
      const response = await refresh(refreshToken);
      expect(response.status).toBe(401);
      expect(response.body).toStrictEqual(noActiveAccount);
    });

    it('5 concurrent refreshes with the same token: exactly one wins, the others are told it is blacklisted', async () => {
      const { refresh: refreshToken } = await userWithTokens();
      const responses = await Promise.all(Array.from({ length: 5 }, () => refresh(refreshToken)));
      const winners = responses.filter((r) => r.status === 200);
      const losers = responses.filter((r) => r.status !== 200);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(4);
      for (const loser of losers) {
        expect(loser.status).toBe(401);
        expect(loser.body).toStrictEqual(blacklisted);
      }
      const { access, refresh: rotated } = winners[0]!.body as { access: string; refresh: string };
      expect((await t.http.get('/api/transactions/').set(bearer(access))).status).toBe(200);
      expect((await refresh(rotated)).status).toBe(200);
    });
  });

  describe('OPTIONS', () => {
    const field = (label: string, readOnly = false) => ({ type: 'string', required: !readOnly, read_only: readOnly, label });
    it.each([
      ['/api/token/', 'Token Obtain Pair', { username: field('Username'), password: field('Password') }],
      ['/auth/jwt/create/', 'Token Obtain Pair', { username: field('Username'), password: field('Password') }],
      ['/api/token/refresh/', 'Token Refresh', { refresh: field('Refresh'), access: field('Access', true) }],
      ['/api/token/verify/', 'Token Verify', { token: field('Token') }],
      ['/api/token/blacklist/', 'Token Blacklist', { refresh: field('Refresh') }],
    ])('%s lists its serializer\'s fields under actions, as the reference does', async (path, name, fields) => {
      const response = await t.http.options(path);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ name, actions: { POST: fields } });
      expect(Object.keys(response.body.actions.POST)).toEqual(Object.keys(fields));
      expect(response.body.description).toMatch(/\n/); // SimpleJWT's docstring, its line break kept
    });
  });

  describe('verify: POST /api/token/verify/, /auth/jwt/verify/', () => {
    it.each(verifyPaths)('%s answers 200 {} for a valid access or refresh token', async (path) => {
      const { access, refresh: refreshToken } = await userWithTokens();
      for (const token of [access, refreshToken]) {
        const response = await verify(token, path);
        expect(response.status).toBe(200);
        expectJson(response);
        expect(response.body).toStrictEqual({});
      }
    });

    it.each([
      ['garbage', () => 'garbage'],
      ['an expired access token', (userId: number) => forge(freshClaims('access', userId, { iat: now() - 960, exp: now() - 60 }))],
      ['a tampered access token', (_id: number, access: string) => tamper(access, { user_id: 999999 })],
      ['an alg: none token', (userId: number) => forge(freshClaims('access', userId), { alg: 'none' })],
      ['an HS512 token', (userId: number) => forge(freshClaims('refresh', userId), { alg: 'HS512' })],
      ['a token signed with another key', (userId: number) => forge(freshClaims('access', userId), { key: 'y'.repeat(48) })],
      ['a refresh token issued in the future', (userId: number) => forge(freshClaims('refresh', userId, { iat: now() + 120 }))],
      ['a token whose iat is not a number', (userId: number) => forge(freshClaims('access', userId, { iat: '1' as unknown as number }))],
      ['a signed payload that is a JSON list', () => forge([])],
    ])('%s answers 401 "Token is invalid or expired"', async (_case, makeToken) => {
      const { user, access } = await userWithTokens();
      for (const path of ['/api/token/verify/', '/auth/jwt/verify/']) {
        const response = await verify(makeToken(user.id, access), path);
        expect(response.status).toBe(401);
        expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
        expect(response.body).toStrictEqual(invalidOrExpired);
      }
    });

    it('a blacklisted refresh token answers 401 "Token is blacklisted"', async () => {
      const { refresh: refreshToken } = await userWithTokens();
      expect((await blacklist(refreshToken)).status).toBe(200);
      for (const path of ['/api/token/verify/', '/auth/jwt/verify/']) {
        const response = await verify(refreshToken, path);
        expect(response.status).toBe(401);
        expect(response.body).toStrictEqual(blacklisted);
      }
    });

    it('a refresh token spent by rotation answers 401 "Token is blacklisted"', async () => {
      const { refresh: refreshToken } = await userWithTokens();
      expect((await refresh(refreshToken)).status).toBe(200);
      const response = await verify(refreshToken);
      expect(response.status).toBe(401);
      expect(response.body).toStrictEqual(blacklisted);
    });

    it('answers 400 for a missing field', async () => {
      const response = await t.http.post('/api/token/verify/').send({});
      expect(response.status).toBe(400);
      expect(response.body).toStrictEqual({ token: [required] });
    });
  });

  describe('blacklist: POST /api/token/blacklist/', () => {
    it.each(blacklistPaths)('%s answers 200 {}; the token then fails on refresh, verify and blacklist', async (path) => {
      const { refresh: refreshToken } = await userWithTokens();
      const response = await blacklist(refreshToken, path);
      expect(response.status).toBe(200);
      expectJson(response);
      expect(response.body).toStrictEqual({});

      for (const attempt of [refresh(refreshToken), blacklist(refreshToken, path), verify(refreshToken)]) {
        const rejected = await attempt;
        expect(rejected.status).toBe(401);
        expect(rejected.body).toStrictEqual(blacklisted);
      }
    });

    it('blacklisting one refresh token leaves the user\'s other tokens working', async () => {
      const user = await t.createUser();
      const first = await t.login(user);
      const second = await t.login(user);
      expect((await blacklist(first.refresh)).status).toBe(200);
      expect((await refresh(second.refresh)).status).toBe(200);
      // SimpleJWT blacklists refresh tokens only: an access token lives until it expires.
      expect((await t.http.get('/api/transactions/').set(bearer(first.access))).status).toBe(200);
    });

    it('an access token answers 401 "Token has wrong type"', async () => {
      const { access } = await userWithTokens();
      const response = await blacklist(access);
      expect(response.status).toBe(401);
      expect(response.body).toStrictEqual(wrongType);
    });

    it('invalid tokens answer 401 "Token is invalid or expired"', async () => {
      const { user, refresh: refreshToken } = await userWithTokens();
      for (const token of ['garbage', tamper(refreshToken, { user_id: 424242 }), forge(freshClaims('refresh', user.id, { exp: now() - 1 })), forge([])]) {
        const response = await blacklist(token);
        expect(response.status).toBe(401);
        expect(response.body).toStrictEqual(invalidOrExpired);
      }
    });

    it.each([424242, 'not-a-user-id'])(
      'a valid refresh token never recorded here, naming user %j, is blacklisted (SimpleJWT records it with no user)',
      async (userId) => {
        // Signed with this key but not issued here (another instance's database, a purged row):
        // SimpleJWT's blacklist() get_or_creates its OutstandingToken without a user, so neither an
        // unknown user id nor one of another type matters.
        const token = forge(freshClaims('refresh', 0, { user_id: userId }));
        const response = await blacklist(token);
        expect(response.status).toBe(200);
        expect(response.body).toStrictEqual({});
        const reused = await refresh(token);
        expect(reused.status).toBe(401);
        expect(reused.body).toStrictEqual(blacklisted);
      },
    );

    it('answers 400 for a missing field', async () => {
      const response = await t.http.post('/api/token/blacklist/').send({});
      expect(response.status).toBe(400);
      expect(response.body).toStrictEqual({ refresh: [required] });
    });

    it('the blacklist lives in the database: a second app instance on it rejects the token too', async () => {
      const second = request(createApp(t.config, t.db, { logger: t.logger }));

      // Blacklisted through the first instance, rejected by the second.
      const a = await userWithTokens();
      expect((await blacklist(a.refresh)).status).toBe(200);
      for (const rejected of [
        await second.post('/api/token/refresh/').send({ refresh: a.refresh }),
        await second.post('/api/token/verify/').send({ token: a.refresh }),
        await second.post('/api/token/blacklist/').send({ refresh: a.refresh }),
      ]) {
        expect(rejected.status).toBe(401);
        expect(rejected.body).toStrictEqual(blacklisted);
      }

      // Spent by rotation on the second instance, rejected by the first.
      const b = await userWithTokens();
      const rotated = await second.post('/auth/jwt/refresh/').send({ refresh: b.refresh });
      expect(rotated.status).toBe(200);
      const reused = await refresh(b.refresh);
      expect(reused.status).toBe(401);
      expect(reused.body).toStrictEqual(blacklisted);
      // The rotated token, issued by the second instance, works on the first.
      expect((await refresh((rotated.body as { refresh: string }).refresh)).status).toBe(200);
    });
  });

  it('no request in this suite failed with a server error', () => {
    expect(t.errors).toEqual([]);
  });
});

describeWithDatabase('JWT refresh without rotation (rotateRefreshTokens: false)', () => {
  const t = useTestApp({ jwt: { ...testConfig().jwt, rotateRefreshTokens: false } });

  it.each(refreshPaths)('%s answers only {"access"}, and the refresh token keeps working', async (path) => {
    const user = await t.createUser();
    const { refresh: refreshToken } = await t.login(user);
    for (let round = 0; round < 3; round += 1) {
      const response = await t.http.post(path).send({ refresh: refreshToken });
      expect(response.status).toBe(200);
      expect(Object.keys(response.body as Json)).toEqual(['access']);
      const { access } = response.body as { access: string };
      expect(decode(access).claims).toMatchObject({ token_type: 'access', user_id: user.id });
      expect((await t.http.get('/api/transactions/').set(bearer(access))).status).toBe(200);
    }
    expect((await t.http.post('/api/token/verify/').send({ token: refreshToken })).status).toBe(200);
  });
});
