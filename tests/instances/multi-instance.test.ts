// Several real server processes behind a (simulated) load balancer, sharing one
// PostgreSQL database and one Redis: a user's rate holds across all of them, a refresh
// token rotated or blacklisted on one is dead on the others, so is a DRF token logged out
// on one, a session opened on one works on all of them, a Redis outage is ridden
// out and counting resumes by itself; and worker threads (WEB_CONCURRENCY) do the same
// within one process, then shut down cleanly on SIGTERM.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { PasswordHasher } from '../../src/apps/accounts/passwords.js';
import { Users } from '../../src/apps/accounts/users.js';
import { openDatabase, type Database } from '../../src/db/index.js';
import { migrate } from '../../src/db/migrate.js';
import { blankDatabaseUrl } from '../support/databases.js';
import { eventually, roundRobin, startServer, type Reply, type RunningServer } from '../support/instances.js';
import { startRedisServer, type RedisServer } from '../support/redis.js';
import { describeWithServices } from '../support/suite.js';

/** The user rate under test: L requests per hour. */
const L = 10;
const password = 'correct horse battery';
const blacklisted = { detail: 'Token is blacklisted', code: 'token_not_valid' };

let addressSequence = 0;
/** A client address of its own for each anonymous step, so their per-address counts never meet. */
const freshAddress = () => `203.0.113.${(addressSequence += 1)}`;

const count = (replies: Reply[], status: number) => replies.filter((reply) => reply.status === status).length;

describeWithServices('several instances on PostgreSQL and Redis', () => {
  let redis: RedisServer;
  let database: Awaited<ReturnType<typeof blankDatabaseUrl>>;
  let db: Database;
  let users: Users;
  let instances: RunningServer[] = [];
  let env: Record<string, string>;

  beforeAll(async () => {
    [redis, database] = await Promise.all([startRedisServer(), blankDatabaseUrl('postgresql')]);
    await migrate(database.url);
    db = openDatabase(database.url);
    users = new Users(db, new PasswordHasher(4));
    env = {
      NODE_ENV: 'production',
      ALLOWED_HOSTS: '127.0.0.1',
      SECRET_KEY: 'multi-instance-test-secret-key-0123456789abcdef',
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      MIGRATE_ON_START: 'false',
      BCRYPT_ROUNDS: '4',
      THROTTLE_USER_RATE: `${L}/hour`,
      THROTTLE_ANON_RATE: '1000/hour',
      TRUSTED_PROXIES: 'loopback',
    };
    const started = await Promise.allSettled([1, 2, 3].map(() => startServer(env)));
    instances = started.filter((result) => result.status === 'fulfilled').map((result) => result.value);
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason; // afterAll stops those that did start
  });
  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await db?.close();
    await database?.drop();
    await redis?.close();
  });

  /** A new user, logged in on `instance`: its pair and Authorization header. */
  async function loggedInUser(instance: RunningServer) {
    const user = await users.create({ username: `user${(addressSequence += 1)}`, password });
    const response = await instance.request('/api/token/', { method: 'POST', from: freshAddress(), body: { username: user.username, password } });
    expect(response.status).toBe(200);
    const tokens = response.body as { access: string; refresh: string };
    return { ...tokens, auth: { Authorization: `Bearer ${tokens.access}` } };
  }

  /** `count` requests of one user spread round-robin over the instances, all at once. */
  const spread = (instancesToUse: RunningServer[], auth: Record<string, string>, total: number) =>
    roundRobin(instancesToUse, total, (instance) => instance.request('/api/transactions/', { headers: auth }));

  it(`a user limit of ${L} requests spread round-robin over 3 instances: exactly ${L} succeed`, async () => {
    const { auth } = await loggedInUser(instances[0]!);
    const replies = await spread(instances, auth, 3 * L);
    expect(count(replies, 200)).toBe(L);
    expect(count(replies, 429)).toBe(2 * L);
    for (const reply of replies.filter((r) => r.status === 429)) {
      const wait = Number(reply.headers.get('retry-after'));
      expect(wait).toBeGreaterThan(3500);
      expect(wait).toBeLessThanOrEqual(3600);
      expect(reply.body).toStrictEqual({ detail: `Request was throttled. Expected available in ${wait} seconds.` });
    }
  });

  it('a refresh token rotated on instance 1 is rejected on instance 2; its successor works there', async () => {
    const [one, two] = instances as [RunningServer, RunningServer];
    const { refresh } = await loggedInUser(one);
    const rotated = await one.request('/api/token/refresh/', { method: 'POST', from: freshAddress(), body: { refresh } });
    expect(rotated.status).toBe(200);
    const reused = await two.request('/api/token/refresh/', { method: 'POST', from: freshAddress(), body: { refresh } });
    expect(reused.status).toBe(401);
    expect(reused.body).toStrictEqual(blacklisted);
    const successor = (rotated.body as { refresh: string }).refresh;
    expect((await two.request('/api/token/refresh/', { method: 'POST', from: freshAddress(), body: { refresh: successor } })).status).toBe(200);
  });

  it('a refresh token blacklisted (JWT logout) on instance 2 is rejected on instance 3', async () => {
    const [one, two, three] = instances as [RunningServer, RunningServer, RunningServer];
    const { refresh } = await loggedInUser(one);
    const logout = await two.request('/api/token/blacklist/', { method: 'POST', from: freshAddress(), body: { refresh } });
    expect(logout.status).toBe(200);
    expect(logout.body).toStrictEqual({});
    for (const path of ['/api/token/refresh/', '/auth/jwt/refresh/']) {
      const reused = await three.request(path, { method: 'POST', from: freshAddress(), body: { refresh } });
      expect(reused.status).toBe(401);
      expect(reused.body).toStrictEqual(blacklisted);
    }
  });

  it('a DRF token logged out on instance 2 is rejected on instance 3', async () => {
    const [one, two, three] = instances as [RunningServer, RunningServer, RunningServer];
    const user = await users.create({ username: `tok${(addressSequence += 1)}`, password });
    const login = await one.request('/auth/token/login/', { method: 'POST', from: freshAddress(), body: { username: user.username, password } });
    expect(login.status).toBe(200);
    const auth = { Authorization: `Token ${(login.body as { auth_token: string }).auth_token}` };
    expect(await three.request('/auth/users/me/', { headers: auth })).toMatchObject({ status: 200, body: { username: user.username } });
    expect((await two.request('/auth/token/logout/', { method: 'POST', headers: auth })).status).toBe(204);
    const reused = await three.request('/auth/users/me/', { headers: auth });
    expect(reused).toMatchObject({ status: 401, body: { detail: 'Invalid token.' } });
  });

  it('a session opened on instance 1 works on the others (CSRF included); logged out on instance 2, it is refused on instance 3', async () => {
    const [one, two, three] = instances as [RunningServer, RunningServer, RunningServer];
    const user = await users.create({ username: `sess${(addressSequence += 1)}`, password });
    const login = await one.request('/api/auth/session/', { method: 'POST', from: freshAddress(), body: { username: user.username, password } });
    expect(login.status).toBe(200);
    const cookies = Object.fromEntries(login.headers.getSetCookie().map((line) => line.split(';')[0]!.split('=') as [string, string]));
    const browser = { Cookie: `sessionid=${cookies.sessionid}; csrftoken=${cookies.csrftoken}` };
    const write = { ...browser, 'X-CSRFToken': cookies.csrftoken! };

    expect(await two.request('/auth/users/me/', { headers: browser })).toMatchObject({ status: 200, body: { username: user.username } });
    // The CSRF token is checked against the session by whichever instance gets the write.
    const post = await three.request('/api/posts/', { method: 'POST', headers: write, body: { title: 'shared', body: 'session' } });
    expect(post).toMatchObject({ status: 201, body: { owner: user.username } });

    expect((await two.request('/api/auth/session/', { method: 'DELETE', headers: write })).status).toBe(204);
    const after = await three.request('/api/dashboard/', { headers: browser });
    expect(after).toMatchObject({ status: 403, body: { detail: 'Authentication credentials were not provided.' } });
  });

  it('Redis stopped mid-test: every instance keeps serving, logs the outage once, and counts again when it is back', async () => {
    const { auth } = await loggedInUser(instances[0]!);
    const { auth: probe } = await loggedInUser(instances[1]!);
    expect(count(await spread(instances, auth, L + 2), 200)).toBe(L);

    await redis.stop();
    const duringOutage = await spread(instances, auth, 3 * L);
    expect(count(duringOutage, 200)).toBe(3 * L);
    expect(duringOutage.every((reply) => reply.headers.get('ratelimit') === null)).toBe(true);
    // The outage is one warning in each instance's log, and each says it is not ready.
    for (const instance of instances) expect(instance.output().stdout.match(/"level":"warn".*Redis unreachable at/g)).toHaveLength(1);
    expect(await instances[0]!.request('/readyz')).toMatchObject({ status: 503, body: { status: 'unavailable', checks: { database: 'ok', redis: 'unavailable' } } });

    await redis.start();
    for (const instance of instances) {
      await eventually('every instance counts in Redis again', async () => {
        const reply = await instance.request('/api/posts/', { headers: probe });
        return reply.headers.get('ratelimit') !== null;
      });
      expect(instance.output().stdout.match(/Redis reachable again at/g)).toHaveLength(1);
      expect(await instance.request('/readyz')).toMatchObject({ status: 200, body: { status: 'ok', checks: { database: 'ok', redis: 'ok' } } });
    }
    // Redis came back empty (it keeps nothing on disk): a fresh window, and the limit holds again.
    const afterOutage = await spread(instances, auth, 3 * L);
    expect(count(afterOutage, 200)).toBe(L);
    expect(count(afterOutage, 429)).toBe(2 * L);
  });

  // Starting and draining two workers takes a while on a loaded machine (the drain waits for idle keep-alive connections).
  it('WEB_CONCURRENCY=2 worker threads share the port and the counts, and stop cleanly on SIGTERM', { timeout: 90_000 }, async () => {
    const cluster = await startServer({ ...env, WEB_CONCURRENCY: '2' }, 2);
    try {
      expect(cluster.output().stdout).toMatch(/Process \d+: starting 2 worker threads\./);
      expect(cluster.output().stdout).toMatch(/\(postgresql, production, worker 1\)/);
      expect(cluster.output().stdout).toMatch(/\(postgresql, production, worker 2\)/);
      // The kernel spreads the connections over the workers' sockets; the counts are Redis's.
      const { auth } = await loggedInUser(cluster);
      const replies = await spread([cluster], auth, 2 * L);
      expect(count(replies, 200)).toBe(L);
      expect(count(replies, 429)).toBe(L);
    } finally {
      expect(await cluster.stop()).toBe(0);
    }
    expect(cluster.output().stdout).toMatch(/SIGTERM received: stopping 2 workers\./);
    expect(cluster.output().stdout.match(/SIGTERM received: finishing open requests \(at most 30 s\), then exiting\./g)).toHaveLength(2);
  });
});
