// /healthz and /readyz: never authenticated, never throttled; /readyz answers 503 naming
// the dependency that does not answer (the database, or Redis when the app counts there).
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/app.js';
import { openDatabase } from '../../src/db/index.js';
import { memoryCounters } from '../../src/rest/throttling/stores.js';
import { memoryLogger, testConfig, useTestApp, type LogLine } from '../support/app.js';
import { describeWithDatabase } from '../support/suite.js';

describeWithDatabase('health probes', () => {
  const t = useTestApp({ throttleRates: { anon: { limit: 1, windowSeconds: 86400 }, user: null, login: null, register: null } });

  it('/healthz: 200 while the process answers', async () => {
    for (const path of ['/healthz', '/healthz/']) {
      const response = await t.http.get(path);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ status: 'ok' });
    }
    expect((await t.http.head('/healthz')).status).toBe(200);
  });

  it('/readyz: 200 when the database answers', async () => {
    const response = await t.http.get('/readyz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', checks: { database: 'ok' } });
  });

  it('are never throttled (the anonymous rate here is 1/day) and never look at credentials', async () => {
    for (let i = 0; i < 5; i += 1) {
      expect((await t.http.get('/healthz')).status).toBe(200);
      expect((await t.http.get('/readyz')).status).toBe(200);
    }
    expect((await t.http.get('/healthz').set('Authorization', 'Bearer not-a-token')).status).toBe(200);
    expect((await t.http.get('/readyz').set('Authorization', 'Token nonsense')).status).toBe(200);
    // The API itself is throttled at that rate.
    expect((await t.http.get('/api/')).status).toBe(200);
    expect((await t.http.get('/api/')).status).toBe(429);
  });

  it('/readyz: 503 when the database does not answer; /healthz still 200', async () => {
    const lines: LogLine[] = [];
    const unreachable = openDatabase('postgresql://postgres@127.0.0.1:1/none');
    try {
      const app = request(createApp(testConfig(), unreachable, { logger: memoryLogger(lines) }));
      const response = await app.get('/readyz');
      expect(response.status).toBe(503);
      expect(response.body).toEqual({ status: 'unavailable', checks: { database: 'unavailable' } });
      expect((await app.get('/healthz')).status).toBe(200);
      // Why is logged (not answered), with the request's id; the request's line is a warning.
      const reason = lines.find((line) => line.msg === 'readiness: database unavailable');
      expect(reason).toMatchObject({ level: 'warn', reqId: response.headers['x-request-id'], reason: expect.stringContaining('ECONNREFUSED') });
      expect(reason).not.toHaveProperty('err');
      expect(lines.find((line) => line.msg === 'GET /readyz 503')).toMatchObject({ level: 'warn', status: 503 });
    } finally {
      await unreachable.close();
    }
  });

  it('/readyz: 503 naming Redis when the throttle counters\' store does not answer', async () => {
    const memory = memoryCounters();
    const app = request(
      createApp(testConfig(), t.db, { counters: { counter: memory.counter, close: memory.close, ping: () => Promise.reject(new Error('connection refused')) } }),
    );
    const response = await app.get('/readyz');
    expect(response.status).toBe(503);
    expect(response.body).toEqual({ status: 'unavailable', checks: { database: 'ok', redis: 'unavailable' } });
  });

  describe('a dependency that never answers', () => {
    it('counts as unavailable after the probe timeout instead of holding the probe', async () => {
      const memory = memoryCounters();
      const app = request(createApp(testConfig(), t.db, { counters: { ...memory, ping: () => new Promise(() => undefined) } }));
      const response = await app.get('/readyz');
      expect(response.status).toBe(503);
      expect(response.body).toEqual({ status: 'unavailable', checks: { database: 'ok', redis: 'unavailable' } });
    });
  });
});
