// DRF's throttles over HTTP, with the in-memory counters: AnonRateThrottle,
// UserRateThrottle, the `login` scope, DRF's 429 body with `Retry-After`, the RateLimit
// headers, and which client address is counted with and without trusted proxies.
// The clock is frozen (only Date is faked), so every wait is exact; each test counts
// as its own clients (X-Forwarded-For addresses behind the trusted loopback proxy).
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import type request from 'supertest';
import { useTestApp } from '../support/app.js';
import { describeWithDatabase } from '../support/suite.js';

const rates = {
  anon: { limit: 10, windowSeconds: 3600 },
  user: { limit: 12, windowSeconds: 3600 },
  login: { limit: 2, windowSeconds: 60 },
  register: null,
};

const throttled = (seconds: number) => ({
  detail: `Request was throttled. Expected available in ${seconds} second${seconds === 1 ? '' : 's'}.`,
});

function expectThrottled(response: request.Response, seconds: number): void {
  expect(response.status).toBe(429);
  expect(response.body).toStrictEqual(throttled(seconds));
  expect(response.headers['retry-after']).toBe(String(seconds));
}

let addressSequence = 0;
/** A client address no other test uses. */
const freshAddress = () => `198.51.100.${(addressSequence += 1)}`;

describeWithDatabase('throttling', () => {
  const t = useTestApp({ throttleRates: rates, trustedProxies: ['loopback'] });
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-11-22T12:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const get = (path: string, address: string) => t.http.get(path).set('X-Forwarded-For', address);
  const login = (address: string, credentials: { username: string; password: string }, path = '/api/token/') =>
    t.http.post(path).set('X-Forwarded-For', address).send({ username: credentials.username, password: credentials.password });
  const wrongPassword = { username: 'victim', password: 'guess' };

  /** An access token of a fresh user, obtained from an address of its own. */
  async function userToken(): Promise<{ Authorization: string }> {
    const response = await login(freshAddress(), await t.createUser());
    expect(response.status).toBe(200);
    return { Authorization: `Bearer ${(response.body as { access: string }).access}` };
  }

  it('sends the RateLimit headers of every throttle that counted the request', async () => {
    const address = freshAddress();
    const first = await get('/api/posts/', address);
    expect(first.status).toBe(200);
    expect(first.headers['ratelimit-policy']).toBe('"anon";q=10;w=3600, "user";q=12;w=3600');
    expect(first.headers['ratelimit']).toBe('"anon";r=9;t=3600, "user";r=11;t=3600');
    vi.advanceTimersByTime(600_000);
    expect((await get('/api/posts/', address)).headers['ratelimit']).toBe('"anon";r=8;t=3000, "user";r=10;t=3000');
  });

  it('AnonRateThrottle: an anonymous client gets `anon` requests per window, then 429 until the window ends', async () => {
    const address = freshAddress();
    for (let i = 0; i < 10; i += 1) expect((await get('/api/posts/', address)).status).toBe(200);
    expectThrottled(await get('/api/posts/', address), 3600);
    // The count is the client's, across views.
    expectThrottled(await get('/api/', address), 3600);
    // Another client is counted apart.
    expect((await get('/api/posts/', freshAddress())).status).toBe(200);
  });

  it('AnonRateThrottle ignores authenticated requests; UserRateThrottle counts them by user id', async () => {
    const address = freshAddress();
    const auth = await userToken();
    for (let i = 0; i < 10; i += 1) await get('/api/posts/', address);
    expectThrottled(await get('/api/posts/', address), 3600);

    const authenticated = await get('/api/posts/', address).set(auth);
    expect(authenticated.status).toBe(200);
    expect(authenticated.headers['ratelimit-policy']).toBe('"user";q=12;w=3600');
    expect(authenticated.headers['ratelimit']).toBe('"user";r=11;t=3600');
  });

  it('UserRateThrottle: a user gets `user` requests per window from any address; other users are apart', async () => {
    const auth = await userToken();
    for (let i = 0; i < 12; i += 1) expect((await get('/api/transactions/', freshAddress()).set(auth)).status).toBe(200);
    expectThrottled(await get('/api/transactions/', freshAddress()).set(auth), 3600);
    expect((await get('/api/transactions/', freshAddress()).set(await userToken())).status).toBe(200);
  });

  it('counts concurrent requests exactly: of 20 at once with 12 allowed, 12 succeed', async () => {
    const auth = await userToken();
    const responses = await Promise.all(Array.from({ length: 20 }, () => get('/api/transactions/', freshAddress()).set(auth)));
    expect(responses.filter((r) => r.status === 200)).toHaveLength(12);
    expect(responses.filter((r) => r.status === 429)).toHaveLength(8);
  });

  it('the login scope: the JWT login views share a tight rate, per client address', async () => {
    const attacker = freshAddress();
    expect((await login(attacker, wrongPassword)).status).toBe(401);
    const second = await login(attacker, wrongPassword, '/auth/jwt/create/');
    expect(second.status).toBe(401);
    expect(second.headers['ratelimit-policy']).toBe('"anon";q=10;w=3600, "user";q=12;w=3600, "login";q=2;w=60');
    expect(second.headers['ratelimit']).toBe('"anon";r=8;t=3600, "user";r=10;t=3600, "login";r=0;t=60');
    expectThrottled(await login(attacker, wrongPassword), 60);
    expectThrottled(await login(attacker, wrongPassword, '/auth/jwt/create'), 60);

    // The attacker's failures cost the victim nothing: the victim logs in from its own address.
    const victim = await t.createUser();
    expect((await login(freshAddress(), victim)).status).toBe(200);
    // Other views of the same client are not in the login scope.
    const refresh = await t.http.post('/api/token/refresh/').set('X-Forwarded-For', attacker).send({ refresh: 'x' });
    expect(refresh.status).toBe(401);
    expect(refresh.headers['ratelimit-policy']).not.toContain('login');
  });

  it('Retry-After is exact: refused until the window ends, served from that moment', async () => {
    const address = freshAddress();
    await login(address, wrongPassword);
    vi.advanceTimersByTime(20_000);
    await login(address, wrongPassword);
    expectThrottled(await login(address, wrongPassword), 40);
    vi.advanceTimersByTime(39_001);
    expectThrottled(await login(address, wrongPassword), 1);
    vi.advanceTimersByTime(999);
    const next = await login(address, wrongPassword);
    expect(next.status).toBe(401);
    expect(next.headers['ratelimit']).toContain('"login";r=1;t=60');
  });

  it('answers with the longest wait when several throttles refuse', async () => {
    const address = freshAddress();
    for (let i = 0; i < 2; i += 1) expect((await login(address, wrongPassword)).status).toBe(401);
    for (let i = 2; i < 10; i += 1) expectThrottled(await login(address, wrongPassword), 60);
    // The 11th request is over the anon rate (an hour) as well as the login rate (a minute).
    expectThrottled(await login(address, wrongPassword), 3600);
  });

  it('checks throttles after permissions, as DRF: refused requests are not counted', async () => {
    const address = freshAddress();
    for (let i = 0; i < 15; i += 1) expect((await t.http.post('/api/transactions/').set('X-Forwarded-For', address).send({})).status).toBe(401);
    expect((await get('/api/posts/', address)).headers['ratelimit']).toBe('"anon";r=9;t=3600, "user";r=11;t=3600');
  });

  it('counts OPTIONS, HEAD, 404 and 405 answers too, as DRF (its throttles run before the handler)', async () => {
    const address = freshAddress();
    const send = (method: 'options' | 'head' | 'get' | 'put', path: string) => t.http[method](path).set('X-Forwarded-For', address);
    expect((await send('options', '/api/posts/')).status).toBe(200);
    expect((await send('head', '/api/posts/')).status).toBe(200);
    expect((await send('get', '/api/posts/999999/')).status).toBe(404);
    expect((await send('put', '/api/')).status).toBe(405);
    expect((await get('/api/posts/', address)).headers['ratelimit']).toBe('"anon";r=5;t=3600, "user";r=7;t=3600');
  });

  it('with a trusted proxy, counts the nearest untrusted forwarded address: a client cannot pick its own', async () => {
    const client = freshAddress();
    await get('/api/posts/', `203.0.113.1, ${client}`);
    const spoofed = await get('/api/posts/', `203.0.113.2, ${client}`);
    expect(spoofed.headers['ratelimit']).toBe('"anon";r=8;t=3600, "user";r=10;t=3600');
  });

  it('counts an IPv6 client by its /56 network', async () => {
    await get('/api/posts/', '2001:db8:1:200::1');
    expect((await get('/api/posts/', '2001:db8:1:2ff::2')).headers['ratelimit']).toBe('"anon";r=8;t=3600, "user";r=10;t=3600');
    expect((await get('/api/posts/', '2001:db8:1:300::1')).headers['ratelimit']).toBe('"anon";r=9;t=3600, "user";r=11;t=3600');
  });
});

describeWithDatabase('throttling without trusted proxies', () => {
  const t = useTestApp({ throttleRates: { ...rates, anon: { limit: 2, windowSeconds: 60 } } });

  it('counts the peer address and ignores X-Forwarded-For, which any client can write', async () => {
    expect((await t.http.get('/api/posts/').set('X-Forwarded-For', '203.0.113.1')).status).toBe(200);
    expect((await t.http.get('/api/posts/').set('X-Forwarded-For', '203.0.113.2')).status).toBe(200);
    const third = await t.http.get('/api/posts/').set('X-Forwarded-For', '203.0.113.3').set('X-Real-IP', '203.0.113.4');
    expect(third.status).toBe(429);
    expect(third.body).toStrictEqual({ detail: expect.stringMatching(/^Request was throttled\. Expected available in \d+ seconds?\.$/) });
    const wait = Number(third.headers['retry-after']);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(60);
    expect((third.body as { detail: string }).detail).toContain(`in ${wait} second`);
  });
});
