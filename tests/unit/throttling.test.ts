// The throttle toolkit's subtle parts, without a database: exact in-memory counts under
// concurrency, ScopedRateThrottle's rules for views with and without a scope, and a
// view scoping only some of its methods.
import express from 'express';
import request from 'supertest';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { memoryCounters } from '../../src/rest/throttling/stores.js';
import { ScopedRateThrottle } from '../../src/rest/throttling/index.js';
import { toRequestHandler, type RequestContext } from '../../src/rest/views/api-view.js';

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

  it('refuses such a scope when the app is built, not on every request', () => {
    const defaults = { authenticators: [], permissions: [], throttles: [throttle] };
    const view = (throttleScope: string | { POST: string }) => ({ name: 'Upload', handlers: { POST: () => ({}) }, throttleScope });
    expect(() => toRequestHandler(view('upload'), defaults)).toThrow("No default throttle rate set for 'upload' scope");
    expect(() => toRequestHandler(view({ POST: 'upload' }), defaults)).toThrow("No default throttle rate set for 'upload' scope");
    expect(() => toRequestHandler(view('login'), defaults)).not.toThrow();
  });
});

describe('a view scoping some methods (throttleScope: { POST: scope })', () => {
  const throttle = new ScopedRateThrottle({ register: { limit: 1, windowSeconds: 60 } }, memoryCounters());
  const app = express().all(
    '/users/',
    toRequestHandler(
      { name: 'Users', throttleScope: { POST: 'register' }, handlers: { GET: () => ({ body: [] }), POST: () => ({ status: 201, body: {} }) } },
      { authenticators: [], permissions: [], throttles: [throttle] },
    ),
  );

  it('counts those methods in the scope, and leaves the others alone', async () => {
    vi.useFakeTimers({ toFake: ['Date'] }); // the clock stands still: the wait is exactly the window
    onTestFinished(() => void vi.useRealTimers());
    const http = request(app);
    expect((await http.post('/users/')).status).toBe(201);
    const refused = await http.post('/users/');
    expect(refused.status).toBe(429);
    expect(refused.body).toStrictEqual({ detail: 'Request was throttled. Expected available in 60 seconds.' });
    for (let i = 0; i < 3; i += 1) {
      const listed = await http.get('/users/');
      expect(listed.status).toBe(200);
      expect(listed.headers['ratelimit']).toBeUndefined();
    }
  });
});
