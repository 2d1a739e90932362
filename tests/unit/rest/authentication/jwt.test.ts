// SimpleJWT's tokens without a database: the service over an in-memory blacklist and user list.
// Claims, messages and bodies are SimpleJWT 5.2's (tokens.py, authentication.py, views).
import jwt from 'jsonwebtoken';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  jwtAuthentication,
  JwtService,
  jwtViews,
  TokenError,
  type BlacklistedToken,
  type IssuedToken,
  type JwtSettings,
  type RefreshTokenRegistry,
} from '../../../../src/rest/authentication/jwt/index.js';
import { AuthenticationFailed } from '../../../../src/rest/errors.js';
import type { AuthUser, RequestContext } from '../../../../src/rest/types.js';

const signingKey = 'unit-test-signing-key-of-enough-length';
const settings: JwtSettings = { signingKey, accessLifetime: 300, refreshLifetime: 86400, rotateRefreshTokens: true, blacklistAfterRotation: true };

/** SimpleJWT's OutstandingToken and BlacklistedToken tables, in memory. */
class MemoryRegistry implements RefreshTokenRegistry {
  readonly issued: IssuedToken[] = [];
  readonly blacklisted = new Set<string>();
  async recordIssued(token: IssuedToken) {
    this.issued.push(token);
  }
  async isBlacklisted(jti: string) {
    return this.blacklisted.has(jti);
  }
  async blacklist(token: BlacklistedToken) {
    if (this.blacklisted.has(token.jti)) return false;
    this.blacklisted.add(token.jti);
    return true;
  }
}

const alice: AuthUser = { id: 7, username: 'alice', isActive: true, isStaff: false, isSuperuser: false };

function setUp(overrides: Partial<JwtSettings> = {}, users: AuthUser[] = [alice]) {
  const registry = new MemoryRegistry();
  const byId = new Map(users.map((user) => [user.id, user]));
  const service = new JwtService({ ...settings, ...overrides }, registry, {
    byId: async (id) => byId.get(id) ?? null,
    checkCredentials: async (username, password) => (password === 'right' ? (users.find((user) => user.username === username) ?? null) : null),
  });
  return { service, registry };
}

const payloadOf = (token: string) => jwt.decode(token) as Record<string, unknown>;
/** A token signed with the service's key and algorithm, with whatever claims a test needs. */
const forged = (claims: Record<string, unknown>, key = signingKey, algorithm: jwt.Algorithm = 'HS256') =>
  jwt.sign(claims, key, { algorithm, noTimestamp: true });
const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const validClaims = () => ({ token_type: 'access', exp: now() + 60, iat: now(), jti: 'a'.repeat(32), user_id: alice.id });

/** The error a promise or a call rejects with. */
async function failure(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

afterEach(() => {
  vi.useRealTimers();
});

describe('JwtService.obtainPair (TokenObtainPairView)', () => {
  it('signs HS256 tokens with SimpleJWT’s claims, both counted from one instant', async () => {
    const { service, registry } = setUp();
    const { refresh, access } = await service.obtainPair(alice);
    expect(jwt.decode(access, { complete: true })?.header).toEqual({ alg: 'HS256', typ: 'JWT' });
    const r = payloadOf(refresh);
    const a = payloadOf(access);
    expect(Object.keys(r).sort()).toEqual(['exp', 'iat', 'jti', 'token_type', 'user_id']);
    expect(Object.keys(a).sort()).toEqual(['exp', 'iat', 'jti', 'token_type', 'user_id']);
    expect([r.token_type, a.token_type, r.user_id, a.user_id]).toEqual(['refresh', 'access', alice.id, alice.id]);
    expect(r.jti).toMatch(/^[0-9a-f]{32}$/);
    expect(a.jti).not.toBe(r.jti);
    expect(a.iat).toBe(r.iat);
    expect([(r.exp as number) - (r.iat as number), (a.exp as number) - (a.iat as number)]).toEqual([86400, 300]);
    expect(registry.issued).toEqual([{ jti: r.jti, userId: alice.id, expiresAt: new Date((r.exp as number) * 1000) }]);
  });
});

describe('JwtService.decode (Token.__init__ and verify)', () => {
  it('accepts its own tokens and checks token_type when asked', async () => {
    const { service } = setUp();
    const { refresh, access } = await service.obtainPair(alice);
    expect(service.decode(access, 'access')).toEqual(payloadOf(access));
    expect(service.decode(refresh)).toEqual(payloadOf(refresh));
    expect(() => service.decode(refresh, 'access')).toThrow(new TokenError('Token has wrong type'));
    expect(() => service.decode(access, 'refresh')).toThrow(new TokenError('Token has wrong type'));
  });

  it('refuses a bad signature, another algorithm, `none`, garbage and expired tokens alike', () => {
    const { service } = setUp();
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(validClaims())}.`;
    const expired = { ...validClaims(), exp: now() - 1 };
    for (const token of [forged(validClaims(), 'another-key'), forged(validClaims(), signingKey, 'HS512'), unsigned, 'not.a.token', '', forged(expired)]) {
      expect(() => service.decode(token), token).toThrow(new TokenError('Token is invalid or expired'));
    }
    expect(() => service.decode(forged(validClaims()))).not.toThrow();
  });

  it('requires exp, then (when a type is asked) token_type, and a jti', () => {
    const { service } = setUp();
    const { exp: _exp, ...withoutExp } = validClaims();
    const { token_type: _type, ...withoutType } = validClaims();
    const { jti: _jti, ...withoutJti } = validClaims();
    expect(() => service.decode(forged(withoutExp))).toThrow(new TokenError("Token has no 'exp' claim"));
    expect(() => service.decode(forged(withoutType), 'access')).toThrow(new TokenError('Token has no type'));
    expect(service.decode(forged(withoutType)).user_id).toBe(alice.id); // UntypedToken, as the verify view
    expect(() => service.decode(forged(withoutJti))).toThrow(new TokenError('Token has no id'));
  });

  it('expires at exp itself (PyJWT: exp <= now)', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const { service } = setUp();
    const { access } = await service.obtainPair(alice);
    vi.setSystemTime(new Date('2030-01-01T00:04:59Z'));
    expect(service.decode(access, 'access').user_id).toBe(alice.id);
    vi.setSystemTime(new Date('2030-01-01T00:05:00Z'));
    expect(() => service.decode(access, 'access')).toThrow(new TokenError('Token is invalid or expired'));
  });
});

describe('JwtService.refresh (TokenRefreshView)', () => {
  it('without rotation answers only a new access token, with the refresh token’s iat', async () => {
    const { service, registry } = setUp({ rotateRefreshTokens: false });
    const { refresh } = await service.obtainPair(alice);
    const answer = await service.refresh(refresh);
    expect(Object.keys(answer)).toEqual(['access']);
    const access = payloadOf(answer.access);
    expect([access.token_type, access.user_id, access.iat]).toEqual(['access', alice.id, payloadOf(refresh).iat]);
    expect(registry.blacklisted.size).toBe(0);
    await expect(service.refresh(refresh)).resolves.toHaveProperty('access');
  });

  it('with rotation answers a new refresh token and blacklists the old one', async () => {
    const { service, registry } = setUp();
    const { refresh } = await service.obtainPair(alice);
    const answer = await service.refresh(refresh);
    expect(payloadOf(answer.refresh!)).toMatchObject({ token_type: 'refresh', user_id: alice.id });
    expect([...registry.blacklisted]).toEqual([payloadOf(refresh).jti]);
    expect(registry.issued.map((token) => token.jti)).toEqual([payloadOf(refresh).jti, payloadOf(answer.refresh!).jti]);
    expect(await failure(() => service.refresh(refresh))).toEqual(new TokenError('Token is blacklisted'));
  });

  it('of two concurrent refreshes with one token, the one that loses the blacklisting fails', async () => {
    const { service, registry } = setUp();
    const { refresh } = await service.obtainPair(alice);
    registry.isBlacklisted = async () => false; // both read "not blacklisted" before either writes
    await service.refresh(refresh);
    expect(await failure(() => service.refresh(refresh))).toEqual(new TokenError('Token is blacklisted'));
  });

  it('refuses an access token, and an inactive or deleted user with DRF’s body (no code)', async () => {
    const { service } = setUp();
    const { refresh, access } = await service.obtainPair(alice);
    expect(await failure(() => service.refresh(access))).toEqual(new TokenError('Token has wrong type'));
    for (const users of [[{ ...alice, isActive: false }], []]) {
      const error = await failure(() => setUp({}, users).service.refresh(refresh));
      expect(error).toBeInstanceOf(AuthenticationFailed);
      expect(error).toMatchObject({ status: 401, body: { detail: 'No active account found for the given token.' } });
    }
  });
});

describe('JwtService.verify and blacklist (TokenVerifyView, TokenBlacklistView)', () => {
  it('verify accepts either type until the token is blacklisted', async () => {
    const { service } = setUp();
    const { refresh, access } = await service.obtainPair(alice);
    await expect(service.verify(access)).resolves.toBeUndefined();
    await expect(service.verify(refresh)).resolves.toBeUndefined();
    await service.blacklist(refresh);
    expect(await failure(() => service.verify(refresh))).toEqual(new TokenError('Token is blacklisted'));
  });

  it('blacklist takes a refresh token once', async () => {
    const { service, registry } = setUp();
    const { refresh, access } = await service.obtainPair(alice);
    expect(await failure(() => service.blacklist(access))).toEqual(new TokenError('Token has wrong type'));
    await service.blacklist(refresh);
    expect(registry.blacklisted.has(payloadOf(refresh).jti as string)).toBe(true);
    expect(await failure(() => service.blacklist(refresh))).toEqual(new TokenError('Token is blacklisted'));
  });
});

describe('JwtService.userForAccessToken (JWTAuthentication)', () => {
  const notValid = (message: string) => ({
    status: 401,
    body: {
      detail: 'Given token not valid for any token type',
      code: 'token_not_valid',
      messages: [{ token_class: 'AccessToken', token_type: 'access', message }],
    },
  });

  it('answers the user and the claims of a valid access token', async () => {
    const { service } = setUp();
    const { access } = await service.obtainPair(alice);
    expect(await service.userForAccessToken(access)).toEqual({ user: alice, claims: payloadOf(access) });
  });

  it('reports why a token is not a valid access token, as SimpleJWT’s InvalidToken', async () => {
    const { service } = setUp();
    const { refresh } = await service.obtainPair(alice);
    expect(await failure(() => service.userForAccessToken(refresh))).toMatchObject(notValid('Token has wrong type'));
    expect(await failure(() => service.userForAccessToken('garbage'))).toMatchObject(notValid('Token is invalid or expired'));
    const { user_id: _id, ...anonymous } = validClaims();
    expect(await failure(() => service.userForAccessToken(forged(anonymous)))).toMatchObject({
      status: 401,
      body: { detail: 'Token contained no recognizable user identification', code: 'token_not_valid' },
    });
  });

  it('refuses a deleted or inactive user with their codes', async () => {
    const { access } = await setUp().service.obtainPair(alice);
    expect(await failure(() => setUp({}, []).service.userForAccessToken(access))).toMatchObject({
      status: 401,
      body: { detail: 'User not found', code: 'user_not_found' },
    });
    expect(await failure(() => setUp({}, [{ ...alice, isActive: false }]).service.userForAccessToken(access))).toMatchObject({
      status: 401,
      body: { detail: 'User is inactive', code: 'user_inactive' },
    });
  });

  it('refuses a token issued before the password last changed, not one issued within that second', async () => {
    const { access } = await setUp().service.obtainPair(alice);
    const iat = payloadOf(access).iat as number;
    const changedAfter = { ...alice, credentialsChangedAt: new Date((iat + 1) * 1000) };
    expect(await failure(() => setUp({}, [changedAfter]).service.userForAccessToken(access))).toMatchObject(notValid('Token is blacklisted'));
    const changedWithin = { ...alice, credentialsChangedAt: new Date(iat * 1000 + 999) };
    await expect(setUp({}, [changedWithin]).service.userForAccessToken(access)).resolves.toMatchObject({ user: changedWithin });
  });
});

describe('jwtAuthentication (Authorization: Bearer)', () => {
  const withAuthorization = (authorization?: string) =>
    ({ req: authorization === undefined ? { headers: {}, headersDistinct: {} } : { headers: { authorization }, headersDistinct: { authorization: [authorization] } } }) as unknown as RequestContext;

  it('claims only `Bearer` (case-sensitive) headers and authenticates with the access token', async () => {
    const { service } = setUp();
    const authenticator = jwtAuthentication(service);
    const { access } = await service.obtainPair(alice);
    expect(authenticator.authenticateHeader).toBe('Bearer realm="api"');
    expect(await authenticator.authenticate(withAuthorization())).toBeNull();
    expect(await authenticator.authenticate(withAuthorization(`bearer ${access}`))).toBeNull();
    expect(await authenticator.authenticate(withAuthorization(`Token ${access}`))).toBeNull();
    expect(await authenticator.authenticate(withAuthorization(`Bearer ${access}`))).toEqual({ user: alice, auth: payloadOf(access) });
  });

  it('refuses a Bearer header without exactly one credential', async () => {
    const authenticator = jwtAuthentication(setUp().service);
    for (const header of ['Bearer', 'Bearer a b']) {
      expect(await failure(() => authenticator.authenticate(withAuthorization(header)))).toMatchObject({
        status: 401,
        body: { detail: 'Authorization header must contain two space-delimited values', code: 'bad_authorization_header' },
      });
    }
  });
});

describe('jwtViews', () => {
  const posting = (data: unknown) => ({ data: () => data }) as unknown as RequestContext;

  it('obtain refuses wrong credentials with SimpleJWT’s message', async () => {
    const { obtain } = jwtViews(setUp().service);
    const error = await failure(() => obtain.handlers.POST!(posting({ username: 'alice', password: 'wrong' })));
    expect(error).toMatchObject({ status: 401, body: { detail: 'No active account found with the given credentials' } });
    const answer = (await obtain.handlers.POST!(posting({ username: 'alice', password: 'right' }))) as { body: Record<string, string> };
    expect(Object.keys(answer.body)).toEqual(['refresh', 'access']);
  });

  it('refresh, verify and blacklist answer a TokenError as 401 token_not_valid', async () => {
    const views = jwtViews(setUp().service);
    const cases = [
      [views.refresh, { refresh: 'garbage' }],
      [views.verify, { token: 'garbage' }],
      [views.blacklist, { refresh: 'garbage' }],
    ] as const;
    for (const [view, data] of cases) {
      expect(await failure(() => view.handlers.POST!(posting(data)))).toMatchObject({
        status: 401,
        body: { detail: 'Token is invalid or expired', code: 'token_not_valid' },
      });
    }
  });
});
