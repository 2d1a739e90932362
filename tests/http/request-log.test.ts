// The request log: one line per request with its method, path, status, duration, user and
// request id (X-Request-ID honoured and echoed); server errors in the same line with their
// stack; and never a password, token, cookie or Authorization value, whatever the flow.
import { expect, it } from 'vitest';
import { useTestApp, uniqueName } from '../support/app.js';
import { sessionLogin, tokenLogin } from '../support/auth.js';
import { describeWithDatabase } from '../support/suite.js';
import { sql } from 'kysely';

describeWithDatabase('request log', () => {
  const t = useTestApp();
  const lineOf = (requestId: string) => t.logs.filter((line) => line.reqId === requestId);

  it('one line per request: method, path without the query, status, duration, user id and request id', async () => {
    const anonymous = await t.http.get('/api/posts/?search=x&page=1');
    const requestId = anonymous.headers['x-request-id']!;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const [line, ...more] = lineOf(requestId);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 'info', method: 'GET', path: '/api/posts/', status: 200, userId: null, msg: 'GET /api/posts/ 200' });
    expect(line!.duration).toEqual(expect.any(Number));

    const user = await t.createUser();
    const signedIn = await t.http.get('/api/transactions/').set(await t.bearer(user));
    expect(lineOf(signedIn.headers['x-request-id']!)).toEqual([expect.objectContaining({ status: 200, userId: user.id })]);
    const refused = await t.http.get('/api/transactions/');
    expect(lineOf(refused.headers['x-request-id']!)).toEqual([expect.objectContaining({ level: 'info', status: 401, userId: null })]);
  });

  it('honours a sane X-Request-ID (echoed, and on the line) and replaces anything else', async () => {
    const given = await t.http.get('/api/').set('X-Request-ID', 'lb-7f3a.42');
    expect(given.headers['x-request-id']).toBe('lb-7f3a.42');
    expect(lineOf('lb-7f3a.42')).toHaveLength(1);
    for (const forged of ['x'.repeat(201), 'two words', 'line\\nbreak', '"quoted"']) {
      const response = await t.http.get('/api/').set('X-Request-ID', forged);
      expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('a server fault is logged once, as an error with its stack, on the request\'s line', async () => {
    const { createTestApp } = await import('../support/app.js');
    const broken = await createTestApp();
    try {
      await sql`DROP TABLE posts_post`.execute(broken.db.kysely);
      const response = await broken.http.get('/api/posts/').set('X-Request-ID', 'fault-1');
      expect(response.status).toBe(500);
      const lines = broken.logs.filter((line) => line.reqId === 'fault-1');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 'error', status: 500, path: '/api/posts/' });
      expect(lines[0]!.msg).toMatch(/^GET \/api\/posts\/ failed: /);
      expect((lines[0]!.err as { stack: string }).stack).toMatch(/\n\s+at /);
    } finally {
      await broken.close();
    }
  });

  it('never holds a password, token, cookie or Authorization value, through every way of signing in', async () => {
    const username = uniqueName('logged');
    const password = 'first secret passphrase 7';
    const newPassword = 'second secret passphrase 8';
    const secrets = [password, newPassword];

    const registered = await t.http.post('/auth/users/').send({ username, password, email: 'log@example.com' });
    expect(registered.status).toBe(201);
    const pair = await t.login({ username, password });
    secrets.push(pair.access, pair.refresh);
    const refreshed = await t.http.post('/api/token/refresh/').send({ refresh: pair.refresh });
    expect(refreshed.status).toBe(200);
    secrets.push(refreshed.body.access, refreshed.body.refresh);
    expect((await t.http.post('/api/token/verify/').send({ token: refreshed.body.access })).status).toBe(200);
    const { key } = await tokenLogin(t, { username, password });
    secrets.push(key);
    expect((await t.http.get('/api/profile/').set('Authorization', `Token ${key}`)).status).toBe(200);
    const session = await sessionLogin(t, { username, password });
    secrets.push(session.sessionid, session.csrftoken);
    expect((await t.http.get('/api/dashboard/').set('Cookie', session.cookie)).status).toBe(200);
    // Secrets in a query string (a client's mistake) stay out too.
    expect((await t.http.get(`/api/posts/?access_token=${pair.access}&password=${encodeURIComponent(password)}`)).status).toBe(200);
    const changed = await t.http
      .post('/auth/users/set_password/')
      .set('Authorization', `Bearer ${refreshed.body.access}`)
      .send({ current_password: password, new_password: newPassword });
    expect(changed.status).toBe(204);
    expect((await t.http.post('/api/token/').send({ username, password: 'wrong guess 123' })).status).toBe(401);
    secrets.push('wrong guess 123');

    const log = JSON.stringify(t.logs);
    expect(t.logs.length).toBeGreaterThanOrEqual(12);
    for (const secret of secrets) expect(log).not.toContain(secret);
    // No header, body or query is logged at all.
    expect(log).not.toMatch(/"(headers|authorization|cookie|set-cookie|body|query)"|Bearer |Token |sessionid=|csrftoken=|\?/i);
  });
});
