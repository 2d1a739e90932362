// The throttling and deployment variables of loadConfig: defaults from the DRF
// tutorials, DRF's rate syntax, and a one-line error naming the variable for bad values.
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { parseRate } from '../../src/rest/throttling/index.js';

describe('parseRate', () => {
  it('reads DRF\'s N/period rates, with its short period names', () => {
    expect(parseRate('100/day')).toEqual({ limit: 100, windowSeconds: 86400 });
    expect(parseRate('1000/d')).toEqual({ limit: 1000, windowSeconds: 86400 });
    expect(parseRate('20/minute')).toEqual({ limit: 20, windowSeconds: 60 });
    expect(parseRate('20/min')).toEqual({ limit: 20, windowSeconds: 60 });
    expect(parseRate('5/m')).toEqual({ limit: 5, windowSeconds: 60 });
    expect(parseRate('3/hour')).toEqual({ limit: 3, windowSeconds: 3600 });
    expect(parseRate('3/h')).toEqual({ limit: 3, windowSeconds: 3600 });
    expect(parseRate('1/second')).toEqual({ limit: 1, windowSeconds: 1 });
    expect(parseRate('2/sec')).toEqual({ limit: 2, windowSeconds: 1 });
    expect(parseRate('2/s')).toEqual({ limit: 2, windowSeconds: 1 });
  });

  it('reads none as no throttling, and nothing else', () => {
    expect(parseRate('none')).toBeNull();
    for (const bad of ['', '100', '100/', '/day', '0/day', '-1/day', '1.5/day', '100/week', '100/days', '100 /day', '100/constructor', 'None']) {
      expect(parseRate(bad), bad).toBeUndefined();
    }
  });
});

describe('throttling configuration', () => {
  it('defaults to the tutorials\' rates, in-memory counters, fail-open, no trusted proxy, one process', () => {
    const config = loadConfig({});
    expect(config.throttleRates).toEqual({
      anon: { limit: 100, windowSeconds: 86400 },
      user: { limit: 1000, windowSeconds: 86400 },
      login: { limit: 20, windowSeconds: 60 },
      register: { limit: 20, windowSeconds: 3600 },
    });
    expect(config.redisUrl).toBeUndefined();
    expect(config.throttleFailOpen).toBe(true);
    expect(config.trustedProxies).toBe(false);
    expect(config.workers).toBe(1);
  });

  it('takes every rate, the Redis URL and the outage policy from the environment', () => {
    const config = loadConfig({
      THROTTLE_ANON_RATE: '10/minute',
      THROTTLE_USER_RATE: 'none',
      THROTTLE_LOGIN_RATE: '5/m',
      THROTTLE_REGISTER_RATE: '3/hour',
      REDIS_URL: 'redis://:secret@10.0.0.5:6380/2',
      THROTTLE_FAIL_OPEN: 'false',
    });
    expect(config.throttleRates).toEqual({
      anon: { limit: 10, windowSeconds: 60 },
      user: null,
      login: { limit: 5, windowSeconds: 60 },
      register: { limit: 3, windowSeconds: 3600 },
    });
    expect(config.redisUrl).toBe('redis://:secret@10.0.0.5:6380/2');
    expect(config.throttleFailOpen).toBe(false);
    expect(loadConfig({ REDIS_URL: 'rediss://cache.internal:6380' }).redisUrl).toBe('rediss://cache.internal:6380');
  });

  it('reads TRUSTED_PROXIES as a hop count or a list of addresses, ranges and Express\'s range names', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '1' }).trustedProxies).toBe(1);
    expect(loadConfig({ TRUSTED_PROXIES: '0' }).trustedProxies).toBe(false);
    expect(loadConfig({ TRUSTED_PROXIES: 'loopback' }).trustedProxies).toEqual(['loopback']);
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.0/8, 192.168.1.7,fd00::/8, uniquelocal' }).trustedProxies).toEqual([
      '10.0.0.0/8',
      '192.168.1.7',
      'fd00::/8',
      'uniquelocal',
    ]);
  });

  it('reads WEB_CONCURRENCY as a worker count, auto being one per core', () => {
    expect(loadConfig({ WEB_CONCURRENCY: '4' }).workers).toBe(4);
    expect(loadConfig({ WEB_CONCURRENCY: 'auto' }).workers).toBe(availableParallelism());
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
  });

  it('stops at a bad value with one line naming the variable', () => {
    const message = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as Error).message;
      }
      throw new Error('no error');
    };
    expect(message({ THROTTLE_ANON_RATE: '100/week' })).toBe(
      'THROTTLE_ANON_RATE must be a rate such as 100/day, 20/minute or 5/second, or none (got "100/week")',
    );
    expect(message({ THROTTLE_LOGIN_RATE: '0/minute' })).toMatch(/^THROTTLE_LOGIN_RATE must be a rate/);
    expect(message({ THROTTLE_FAIL_OPEN: 'maybe' })).toBe('THROTTLE_FAIL_OPEN must be true or false (got "maybe")');
    expect(message({ REDIS_URL: 'localhost:6379' })).toMatch(/^REDIS_URL must be redis:\/\//);
    // `true` would trust every X-Forwarded-For: any client could pick its own address.
    for (const bad of ['true', 'everyone', '10.0.0.0/33', '::1/129', '1.2.3', '10.0.0.1/8/1', 'loopback,']) {
      expect(message({ TRUSTED_PROXIES: bad }), bad).toMatch(/^TRUSTED_PROXIES must be a hop count, or a comma-separated list/);
    }
    expect(message({ WEB_CONCURRENCY: '0' })).toBe('WEB_CONCURRENCY must be auto or an integer between 1 and 256 (got "0")');
    expect(message({ WEB_CONCURRENCY: 'all' })).toBe('WEB_CONCURRENCY must be auto or an integer between 1 and 256 (got "all")');
  });
});
