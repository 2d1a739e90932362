// The request pipeline's error cases: DRF's bodies, statuses and headers.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { describeWithDatabase } from '../support/suite.js';
import { countRows } from '../support/databases.js';
import { sql } from 'kysely';

describeWithDatabase('request pipeline errors', () => {
  let t: TestApp;
  let auth: { Authorization: string };
  beforeAll(async () => {
    t = await createTestApp({ maxBodyBytes: 4096 });
    auth = await t.bearer(await t.createUser());
  });
  afterAll(() => t?.close());

  const postJson = (body: string, path = '/api/posts/') =>
    t.http.post(path).set(auth).set('Content-Type', 'application/json').send(body);

  it('answers malformed JSON with 400 and Python\'s message', async () => {
    const response = await postJson('{"title": "x",}');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ detail: 'JSON parse error - Expecting property name enclosed in double quotes: line 1 column 15 (char 14)' });
    const empty = await postJson('{');
    expect(empty.body.detail).toMatch(/^JSON parse error - /);
    const invalidUtf8 = await fetch(`${t.baseUrl}/api/posts/`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: Buffer.from('{"title": "caf\xe9", "body": "x"}', 'latin1'),
    });
    expect(invalidUtf8.status).toBe(400);
    expect(await invalidUtf8.json()).toEqual({
      detail: "JSON parse error - 'utf-8' codec can't decode byte 0xe9 in position 14: invalid continuation byte",
    });
  });

  it('checks authentication and permissions before reading the body, as DRF does', async () => {
    const response = await t.http.post('/api/posts/').set('Content-Type', 'application/json').send('{not json');
    expect(response.status).toBe(401);
  });

  it('answers a non-object body with the serializer\'s message', async () => {
    expect((await postJson('[1, 2]')).body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got list.'] });
    expect((await postJson('"text"')).body).toEqual({ non_field_errors: ['Invalid data. Expected a dictionary, but got str.'] });
    expect((await postJson('null')).body).toEqual({ non_field_errors: ['No data provided'] });
  });

  it('answers an unsupported content type with 415', async () => {
    const response = await t.http.post('/api/posts/').set(auth).set('Content-Type', 'text/plain').send('hello');
    expect(response.status).toBe(415);
    expect(response.body).toEqual({ detail: 'Unsupported media type "text/plain" in request.' });
  });

  it('answers a body without a Content-Type with 415, as DRF, and changes nothing', async () => {
    // fetch would add text/plain to a string body; a Uint8Array body goes out without one.
    const send = (method: string, path: string) =>
      fetch(`${t.baseUrl}${path}`, { method, headers: auth, body: new TextEncoder().encode('{"title": "new", "body": "x"}') });
    const before = await countRows(t.db, 'posts_post');
    const created = await send('POST', '/api/posts/');
    expect(created.status).toBe(415);
    expect(await created.json()).toEqual({ detail: 'Unsupported media type "" in request.' });
    expect(await countRows(t.db, 'posts_post')).toBe(before);

    const post = await postJson(JSON.stringify({ title: 'kept', body: 'x' }));
    const patched = await send('PATCH', `/api/posts/${post.body.id}/`);
    expect(patched.status).toBe(415);
    expect((await t.http.get(`/api/posts/${post.body.id}/`)).body.title).toBe('kept');
    // Without a body there is nothing to parse: the PATCH is a no-op, not a 415.
    expect((await t.http.patch(`/api/posts/${post.body.id}/`).set(auth)).status).toBe(200);
  });

  it('refuses a UTF-8 byte-order mark before JSON, as Python\'s json does', async () => {
    const response = await postJson('\ufeff{"title": "t", "body": "b"}');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ detail: 'JSON parse error - Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)' });
  });

  it('answers a body over the limit with 413 and writes nothing', async () => {
    const before = await countRows(t.db, 'posts_post');
    const response = await postJson(JSON.stringify({ title: 't', body: 'x'.repeat(5000) }));
    expect(response.status).toBe(413);
    expect(response.body).toEqual({ detail: 'Request body is too large.' });
    expect(response.headers['content-type']).toBe('application/json');
    expect(await countRows(t.db, 'posts_post')).toBe(before);
  });

  it('answers unknown URLs with JSON 404s', async () => {
    for (const path of ['/nothing', '/api/nothing/', '/api/posts/1/extra/']) {
      const response = await t.http.get(path);
      expect(response.status).toBe(404);
      expect(response.body).toEqual({ detail: 'Not found.' });
      // JSONRenderer's Content-Type, as every view answers: no charset parameter.
      expect(response.headers['content-type']).toBe('application/json');
    }
  });

  it('answers a wrong method with 405 and Allow, after the permission checks', async () => {
    const list = await t.http.patch('/api/posts/').set(auth).send({});
    expect(list.status).toBe(405);
    expect(list.body).toEqual({ detail: 'Method "PATCH" not allowed.' });
    expect(list.headers.allow).toBe('GET, POST, HEAD, OPTIONS');
    const detail = await t.http.post('/api/posts/1/').set(auth).send({});
    expect(detail.status).toBe(405);
    expect(detail.headers.allow).toBe('GET, PUT, PATCH, DELETE, HEAD, OPTIONS');
    // Anonymous: IsAuthenticatedOrReadOnly refuses first, as in DRF.
    expect((await t.http.patch('/api/posts/').send({})).status).toBe(401);
  });

  it('serves every route with and without the trailing slash, without redirecting', async () => {
    const created = await t.http.post('/api/posts').set(auth).send({ title: 'no slash', body: 'b' });
    expect(created.status).toBe(201);
    expect((await t.http.get(`/api/posts/${created.body.id}`)).body.title).toBe('no slash');
    expect((await t.http.get('/api')).status).toBe(200);
    expect((await t.http.get('/api/transactions').set(auth)).status).toBe(200);
  });

  it('answers HEAD like GET without a body, and OPTIONS with metadata', async () => {
    const head = await t.http.head('/api/posts/');
    expect(head.status).toBe(200);
    expect(head.text).toBeUndefined();
    const options = await t.http.options('/api/posts/');
    expect(options.status).toBe(200);
    expect(options.body).toMatchObject({ name: 'Post List', renders: ['application/json', 'text/html'] });
  });

  it('lists every resource at the API root with absolute URLs', async () => {
    const response = await t.http.get('/api/');
    const host = response.request.url.replace(/\/api\/.*$/, '');
    const resources = ['posts', 'transactions', 'friends', 'belongings', 'borrowings'];
    expect(Object.keys(response.body)).toEqual(resources);
    expect(response.body).toEqual(Object.fromEntries(resources.map((name) => [name, `${host}/api/${name}/`])));
  });

  it('answers a bad bearer token with 401 even on a public endpoint', async () => {
    const response = await t.http.get('/api/').set('Authorization', 'Bearer nonsense');
    expect(response.status).toBe(401);
    expect(response.body.code).toBe('token_not_valid');
  });
});

describeWithDatabase('server faults', () => {
  it('answer 500 with a JSON detail and no stack trace, and are logged', async () => {
    const t = await createTestApp();
    await sql`DROP TABLE posts_post`.execute(t.db.kysely); // a server fault, not the client's
    const response = await t.http.get('/api/posts/');
    expect(response.status).toBe(500);
    expect(response.body).toEqual({ detail: 'A server error occurred.' });
    expect(response.text).not.toMatch(/at .*\.(ts|js):\d+/);
    expect(t.errors).toHaveLength(1);
    expect(t.errors[0]).toMatch(/^GET \/api\/posts\/ failed: /);
    await t.close();
  });
});
