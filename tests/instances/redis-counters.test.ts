// Throttle counts in Redis (a redis-server of this file's own), in process: apps sharing
// one Redis share their counts; while Redis is down requests are served uncounted
// (fail-open) or answered 503 (fail-closed), each outage logged once; and counting
// resumes by itself when Redis is back, even for a server that started during an outage.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AppConfig } from '../../src/config.js';
import { openRedisCounters, type CounterStore } from '../../src/rest/throttling/stores.js';
import { createTestApp, type TestApp } from '../support/app.js';
import { eventually } from '../support/instances.js';
import { startRedisServer, type RedisServer } from '../support/redis.js';
import { describeWithServices } from '../support/suite.js';

const config: Partial<AppConfig> = {
  throttleRates: { anon: { limit: 4, windowSeconds: 3600 }, user: null, login: null, register: null },
};

describeWithServices('throttle counters in Redis', () => {
  let redis: RedisServer;
  const apps: TestApp[] = [];
  const stores: CounterStore[] = [];
  /** An app counting in the test's Redis, and what its counters log. */
  async function appOnRedis(failOpen: boolean, connectTimeoutMs?: number) {
    const log: string[] = [];
    const counters = await openRedisCounters(redis.url, { failOpen, log: (message) => log.push(message), connectTimeoutMs });
    stores.push(counters);
    const t = await createTestApp(config, { counters });
    apps.push(t);
    return { t, log };
  }
  const counted = async (t: TestApp) => (await t.http.get('/api/posts/')).headers['ratelimit'] !== undefined;

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await Promise.all(apps.map((t) => t.close()));
    await Promise.all(stores.map((s) => s.close()));
    await redis?.close();
  });

  it('apps on one Redis share their counts', async () => {
    const [a, b] = await Promise.all([appOnRedis(true), appOnRedis(true)]);
    expect((await a!.t.http.get('/api/posts/')).headers['ratelimit']).toBe('"anon";r=3;t=3600');
    expect((await b!.t.http.get('/api/posts/')).status).toBe(200);
    expect((await a!.t.http.get('/api/posts/')).status).toBe(200);
    expect((await b!.t.http.get('/api/posts/')).headers['ratelimit']).toMatch(/^"anon";r=0;t=(3600|359\d)$/);
    const refused = await a!.t.http.get('/api/posts/');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3590);
    expect(refused.body).toStrictEqual({ detail: `Request was throttled. Expected available in ${refused.headers['retry-after']} seconds.` });
  });

  it('fail-open: while Redis is down requests are served uncounted, the outage logged once; counting resumes after', async () => {
    const { t, log } = await appOnRedis(true);
    await redis.stop();
    for (let i = 0; i < 6; i += 1) {
      const response = await t.http.get('/api/posts/');
      expect(response.status).toBe(200);
      expect(response.headers['ratelimit']).toBeUndefined();
    }
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/^Redis unreachable at 127\.0\.0\.1:\d+ \(.+\): requests are not throttled \(THROTTLE_FAIL_OPEN=true\) until it is back\.$/);

    await redis.start();
    await eventually('the app counts in Redis again', () => counted(t));
    expect(log).toHaveLength(2);
    expect(log[1]).toMatch(/^Redis reachable again at 127\.0\.0\.1:\d+: throttling resumed\.$/);
    // Redis restarted empty: the window starts again, and the limit holds.
    for (let i = 0; i < 3; i += 1) expect((await t.http.get('/api/posts/')).status).toBe(200);
    expect((await t.http.get('/api/posts/')).status).toBe(429);
  });

  it('fail-closed: while Redis is down throttled views answer 503, and serve again when it is back', async () => {
    const { t, log } = await appOnRedis(false);
    await redis.stop();
    for (let i = 0; i < 3; i += 1) {
      const response = await t.http.get('/api/posts/');
      expect(response.status).toBe(503);
      expect(response.body).toStrictEqual({ detail: 'Service temporarily unavailable, try again later.' });
    }
    expect(log).toEqual([expect.stringContaining('throttled requests are answered 503 (THROTTLE_FAIL_OPEN=false)')]);
    expect(t.errors).toEqual([]);

    await redis.start();
    await eventually('the app serves again', async () => (await t.http.get('/api/posts/')).status === 200);
  });

  it('a server started while Redis is down serves, and starts counting when Redis comes up', async () => {
    await redis.stop();
    const { t, log } = await appOnRedis(true, 100);
    expect((await t.http.get('/api/posts/')).status).toBe(200);
    expect(await counted(t)).toBe(false);
    expect(log).toEqual([expect.stringMatching(/^Redis unreachable at /)]);

    await redis.start();
    await eventually('the app counts in Redis', () => counted(t));
  });
});
