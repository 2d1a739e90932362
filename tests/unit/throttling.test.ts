// The throttle toolkit's subtle parts, without HTTP: exact in-memory counts under
// concurrency, and ScopedRateThrottle's rules for views with and without a scope.
import { describe, expect, it } from 'vitest';
import { memoryCounters } from '../../src/rest/throttle-stores.js';
import { ScopedRateThrottle } from '../../src/rest/throttling.js';
import type { RequestContext } from '../../src/rest/views.js';

const anonymousRequest = (throttleScope?: string) =>
  ({ throttleScope, user: null, req: { ip: '192.0.2.1', socket: {} } }) as unknown as RequestContext;

describe('memory counters', () => {
  it('hand every concurrent hit its own count, never a later one', async () => {
    const counters = memoryCounters();
    const counter = counters.counter('user', 60);
    const hits = await Promise.all(Array.from({ length: 50 }, () => counter.hit('user:1')));
    expect(hits.map((h) => h!.totalHits).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await counter.hit('user:2'))!.totalHits).toBe(1);
    await counters.close();
  });
});

describe('ScopedRateThrottle', () => {
  const throttle = new ScopedRateThrottle({ login: { limit: 1, windowSeconds: 60 }, uploads: null }, memoryCounters());

  it('counts views of a scope at its rate', async () => {
    expect(await throttle.check(anonymousRequest('login'))).toMatchObject({ policy: 'login', allowed: true, remaining: 0 });
    expect(await throttle.check(anonymousRequest('login'))).toMatchObject({ policy: 'login', allowed: false, resetSeconds: 60 });
  });

  it('leaves alone views without a scope, and scopes whose rate is none', async () => {
    expect(await throttle.check(anonymousRequest())).toBeNull();
    expect(await throttle.check(anonymousRequest('uploads'))).toBeNull();
  });

  it('refuses a scope without a rate, as DRF\'s ImproperlyConfigured', async () => {
    await expect(throttle.check(anonymousRequest('upload'))).rejects.toThrow("No default throttle rate set for 'upload' scope");
  });
});
