// DRF's face beyond JSON, checked against what the DRF reference (../shared/bench/drf) answers:
// content negotiation (Accept, ?format=, 406), OPTIONS `actions`, multipart bodies.
import { expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { describeWithDatabase } from '../support/suite.js';
import { countRows } from '../support/databases.js';

const renders = ['application/json', 'text/html'];
const parses = ['application/json', 'application/x-www-form-urlencoded', 'multipart/form-data'];
const chromeAccept =
  'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';

// The `actions` bodies the DRF reference answers (curl -X OPTIONS as alice).
const postFields = {
  id: { type: 'integer', required: false, read_only: true, label: 'ID' },
  title: { type: 'string', required: true, read_only: false, label: 'Title', max_length: 200 },
  body: { type: 'string', required: true, read_only: false, label: 'Body' },
  owner: { type: 'field', required: false, read_only: true, label: 'Owner' },
  created_at: { type: 'datetime', required: false, read_only: true, label: 'Created at' },
  updated_at: { type: 'datetime', required: false, read_only: true, label: 'Updated at' },
};
const transactionFields = {
  id: { type: 'integer', required: false, read_only: true, label: 'ID' },
  user: { type: 'field', required: false, read_only: true, label: 'User' },
  amount: { type: 'decimal', required: true, read_only: false, label: 'Amount' },
  description: { type: 'string', required: false, read_only: false, label: 'Description', max_length: 255 },
  timestamp: { type: 'datetime', required: false, read_only: true, label: 'Timestamp' },
};
const namedFields = {
  id: { type: 'integer', required: false, read_only: true, label: 'ID' },
  name: { type: 'string', required: true, read_only: false, label: 'Name', max_length: 100 },
};
const borrowingFields = {
  id: { type: 'integer', required: false, read_only: true, label: 'ID' },
  what: { type: 'field', required: true, read_only: false, label: 'What' },
  to_who: { type: 'field', required: true, read_only: false, label: 'To who' },
  when: { type: 'datetime', required: false, read_only: true, label: 'When' },
  returned: { type: 'datetime', required: false, read_only: false, label: 'Returned' },
};

describeWithDatabase('content negotiation, OPTIONS metadata and multipart bodies', () => {
  const t = useTestApp();

  async function author() {
    const user = await t.createUser();
    return { user, auth: await t.bearer(user) };
  }

  it('answers JSON without a charset to no Accept, */*, application/json and application/*', async () => {
    for (const accept of [undefined, '*/*', 'application/json', 'application/*', 'image/png, */*', 'text/html;q=0, application/json']) {
      const request = t.http.get('/api/posts/');
      const response = await (accept === undefined ? request : request.set('Accept', accept));
      expect(response.status, accept).toBe(200);
      expect(response.headers['content-type'], accept).toBe('application/json');
      // django-cors-headers varies on Origin always; an anonymous answer looked for a session (Cookie).
      expect(response.headers.vary).toBe('Origin, Accept, Cookie');
      expect(response.text).toBe(JSON.stringify(response.body));
    }
  });

  it('varies on Cookie where the session was looked for (anonymous, or a session), not for a token', async () => {
    const { auth } = await author();
    expect((await t.http.get('/api/transactions/')).headers.vary).toBe('Origin, Accept, Cookie');
    const bearer = await t.http.get('/api/transactions/').set(auth);
    expect(bearer.status).toBe(200);
    expect(bearer.headers.vary).toBe('Origin, Accept');
    // A bad token answers 401 before the session is looked at.
    expect((await t.http.get('/api/transactions/').set('Authorization', 'Bearer nope')).headers.vary).toBe('Origin, Accept');
  });

  it("indents JSON as the Accept header's indent parameter asks (0 to 8)", async () => {
    const response = await t.http.get('/api/').set('Accept', 'application/json; indent=4');
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.text).toBe(JSON.stringify(response.body, null, 4));
    const clamped = await t.http.get('/api/').set('Accept', '*/*; indent=20');
    expect(clamped.text).toBe(JSON.stringify(clamped.body, null, 8));
  });

  it('gives a browser (text/html) the browsable API page', async () => {
    for (const accept of [chromeAccept, 'text/html', 'text/*']) {
      const response = await t.unchecked.get('/api/posts/').set('Accept', accept);
      expect(response.status, accept).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.headers.vary).toBe('Origin, Accept, Cookie');
      expect(response.text).toContain('<h1>Post List</h1>');
    }
  });

  it('lets ?format=json and ?format=api choose, and answers 404 to a format no renderer has', async () => {
    const json = await t.http.get('/api/posts/?format=json').set('Accept', chromeAccept);
    expect(json.headers['content-type']).toBe('application/json');
    const api = await t.unchecked.get('/api/posts/?format=api');
    expect(api.headers['content-type']).toBe('text/html; charset=utf-8');
    const unknown = await t.http.get('/api/?format=xml');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ detail: 'Not found.' });
    expect(unknown.headers['content-type']).toBe('application/json');
    // The format narrows the renderers; the Accept header must still admit the one left (DRF: 406).
    const conflicting = await t.http.get('/api/posts/?format=json').set('Accept', 'text/html');
    expect(conflicting.status).toBe(406);
  });

  it("answers the router's URLs with a format suffix as with ?format= (DRF's DefaultRouter), the suffix winning", async () => {
    const { user, auth } = await author();
    const created = await t.http.post('/api/posts/').set(auth).send({ title: 'Suffixed', body: 'x' });
    const list = await t.unchecked.get('/api/posts.json').set('Accept', chromeAccept);
    expect(list.status).toBe(200);
    expect(list.headers['content-type']).toBe('application/json');
    expect(list.body.results[0].id).toBe(created.body.id);
    const detail = await t.unchecked.get(`/api/posts/${created.body.id}.json/`);
    expect(detail.body).toEqual(created.body);
    const page = await t.unchecked.get(`/api/posts/${created.body.id}.api?format=json`);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<h1>Post Instance</h1>');
    // Content negotiation comes before authentication, as in DRF: an unknown format is 404 even unauthenticated.
    expect((await t.unchecked.get('/api/transactions.json')).status).toBe(401);
    for (const path of ['/api/transactions.xml', `/api/posts/${created.body.id}.5/`]) {
      const unknown = await t.unchecked.get(path);
      expect(unknown.status, path).toBe(404);
      expect(unknown.body).toEqual({ detail: 'Not found.' });
    }
    const own = await t.unchecked.get('/api/transactions.json').set(auth);
    expect(own.body).toMatchObject({ count: 0, results: [] });
    const me = await t.unchecked.get('/auth/users/me.json').set(auth);
    expect(me.body.username).toBe(user.username);
    // Pagination links keep the suffix (DRF builds them from the request's URL).
    for (let i = 0; i < 10; i++) await t.http.post('/api/posts/').set(auth).send({ title: `P${i}`, body: 'x' });
    expect((await t.unchecked.get('/api/posts.json')).body.next).toBe(`${t.baseUrl}/api/posts.json?page=2`);
  });

  it("lists each router's resources at its root, links keeping the format suffix and ?format=", async () => {
    const resources = ['posts', 'transactions', 'friends', 'belongings', 'borrowings'];
    const links = (end: string) => Object.fromEntries(resources.map((name) => [name, `${t.baseUrl}/api/${name}${end}`]));
    expect((await t.http.get('/api/')).body).toEqual(links('/'));
    expect((await t.unchecked.get('/api/.json')).body).toEqual(links('.json'));
    expect((await t.http.get('/api/?format=json&page=2')).body).toEqual(links('/?format=json'));
    expect((await t.unchecked.get('/api/.json?format=json')).body).toEqual(links('.json?format=json'));
    // Djoser's router has a root of its own.
    expect((await t.http.get('/auth/')).body).toEqual({ users: `${t.baseUrl}/auth/users/` });
    expect((await t.unchecked.get('/auth/.json')).body).toEqual({ users: `${t.baseUrl}/auth/users.json` });
    expect((await t.http.options('/auth/')).body).toMatchObject({ name: 'Api Root', description: 'The default basic root view for DefaultRouter' });
    // Views outside a router take no suffix.
    expect((await t.unchecked.post('/api/token.json').send({})).status).toBe(404);
  });

  it('answers 406 to an Accept header no renderer satisfies, before authentication', async () => {
    for (const path of ['/api/posts/', '/api/transactions/']) {
      const response = await t.http.get(path).set('Accept', 'application/xml');
      expect(response.status).toBe(406);
      expect(response.body).toEqual({ detail: 'Could not satisfy the request Accept header.' });
      expect(response.headers['content-type']).toBe('application/json');
      expect(response.headers.vary).toBe('Origin, Accept'); // django-cors-headers varies on Origin always
      expect(response.headers.allow).toBe('GET, POST, HEAD, OPTIONS');
    }
  });

  it('keeps the schema view to its own renderers: YAML by default, JSON by Accept or format', async () => {
    const yaml = await t.http.get('/api/schema/').set('Accept', '*/*');
    expect(yaml.headers['content-type']).toBe('application/vnd.oai.openapi; charset=utf-8');
    const json = await t.http.get('/api/schema/').set('Accept', 'application/json');
    expect(json.headers['content-type']).toBe('application/json');
    expect(json.body.openapi).toBe('3.0.3');
    const refused = await t.http.get('/api/schema/').set('Accept', 'text/html');
    expect(refused.status).toBe(406);
    expect((await t.http.get('/api/schema/?format=api')).status).toBe(404);
  });

  it('answers OPTIONS with DRF metadata and, for anonymous readers of posts, no actions', async () => {
    for (const [path, name] of [
      ['/api/posts/', 'Post List'],
      ['/api/posts/1/', 'Post Instance'],
    ]) {
      const response = await t.http.options(path!);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ name, description: '', renders, parses });
    }
  });

  it("describes POST on a list and PUT on the caller's own object, as DRF does", async () => {
    const { auth } = await author();
    const list = await t.http.options('/api/posts/').set(auth);
    expect(list.body).toEqual({ name: 'Post List', description: '', renders, parses, actions: { POST: postFields } });
    expect(Object.keys(list.body.actions.POST)).toEqual(Object.keys(postFields));
    expect(Object.keys(list.body.actions.POST.title)).toEqual(['type', 'required', 'read_only', 'label', 'max_length']);
    const post = await t.http.post('/api/posts/').set(auth).send({ title: 'Mine', body: 'b' });
    const detail = await t.http.options(`/api/posts/${post.body.id}/`).set(auth);
    expect(detail.body).toEqual({ name: 'Post Instance', description: '', renders, parses, actions: { PUT: postFields } });
  });

  it('leaves PUT out for an object the caller may not change, and for one that does not exist', async () => {
    const owner = await author();
    const other = await author();
    const post = await t.http.post('/api/posts/').set(owner.auth).send({ title: 'Not yours', body: 'b' });
    const notOwner = await t.http.options(`/api/posts/${post.body.id}/`).set(other.auth);
    expect(notOwner.status).toBe(200);
    expect(notOwner.body).not.toHaveProperty('actions');
    const missing = await t.http.options('/api/posts/999999/').set(owner.auth);
    expect(missing.body).toEqual({ name: 'Post Instance', description: '', renders, parses });
  });

  it('describes transactions and lending as the DRF reference does', async () => {
    const { auth } = await author();
    const transactions = await t.http.options('/api/transactions/').set(auth);
    expect(transactions.body).toEqual({ name: 'Transaction List', description: '', renders, parses, actions: { POST: transactionFields } });
    for (const [path, name] of [
      ['/api/friends/', 'Friend List'],
      ['/api/belongings/', 'Belonging List'],
    ]) {
      expect((await t.http.options(path!).set(auth)).body).toEqual({ name, description: '', renders, parses, actions: { POST: namedFields } });
    }
    const borrowings = await t.http.options('/api/borrowings/').set(auth);
    expect(borrowings.body).toEqual({ name: 'Borrowing List', description: '', renders, parses, actions: { POST: borrowingFields } });
    const friend = await t.http.post('/api/friends/').set(auth).send({ name: 'Zed' });
    const detail = await t.http.options(`/api/friends/${friend.body.id}/`).set(auth);
    expect(detail.body).toEqual({ name: 'Friend Instance', description: '', renders, parses, actions: { PUT: namedFields } });
    // Anonymous callers are refused before any metadata, as on every other method.
    const anonymous = await t.http.options('/api/transactions/');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toEqual({ detail: 'Authentication credentials were not provided.' });
  });

  it('names Djoser\'s and the token views in OPTIONS as DRF does (extra actions by their function, no docstring: no description)', async () => {
    const { auth } = await author();
    const simplejwt = {
      obtain: 'Takes a set of user credentials and returns an access and refresh JSON web\ntoken pair to prove the authentication of those credentials.',
      refresh: 'Takes a refresh type JSON web token and returns an access type JSON web\ntoken if the refresh token is valid.',
      verify: "Takes a token and indicates if it is valid.  This view provides no\ninformation about a token's fitness for a particular use.",
    };
    // The reference's names and descriptions, as alice. (Its /auth/users/me/ answers OPTIONS 500: Djoser's
    // `me` has no get_object for the metadata; "Me" is the name DRF gives that action.)
    for (const [path, name, description] of [
      ['/auth/users/', 'User List', ''],
      ['/auth/users/me/', 'Me', ''],
      ['/auth/users/set_password/', 'Set password', ''],
      ['/auth/users/set_username/', 'Set username', ''],
      ['/auth/token/login/', 'Token Create', 'Use this endpoint to obtain user authentication token.'],
      ['/auth/token/logout/', 'Token Destroy', 'Use this endpoint to logout user (remove user authentication token).'],
      ['/auth/jwt/create/', 'Token Obtain Pair', simplejwt.obtain],
      ['/auth/jwt/refresh/', 'Token Refresh', simplejwt.refresh],
      ['/auth/jwt/verify/', 'Token Verify', simplejwt.verify],
      ['/api/token/', 'Token Obtain Pair', simplejwt.obtain],
      ['/api/token/blacklist/', 'Token Blacklist', 'Takes a token and blacklists it. Must be used with the\n`rest_framework_simplejwt.token_blacklist` app installed.'],
      ['/api-token-auth/', 'Obtain Auth Token', ''],
    ]) {
      const response = await t.http.options(path!).set(auth);
      expect(response.status, path).toBe(200);
      expect({ name: response.body.name, description: response.body.description }, path).toEqual({ name, description });
    }
    const { body: self } = await t.http.get('/auth/users/me/').set(auth);
    expect((await t.http.options(`/auth/users/${self.id}/`).set(auth)).body).toMatchObject({ name: 'User Instance', description: '' });
  });

  it("shows UserSerializer's fields as the actions of every Djoser user route, as Djoser's metadata action does", async () => {
    const { auth } = await author();
    const other = await t.createUser();
    // The reference's `actions` (as alice): the `metadata` action gets UserSerializer, even on set_password.
    const userFields = {
      email: { type: 'email', required: false, read_only: false, label: 'Email address', max_length: 254 },
      id: { type: 'integer', required: false, read_only: true, label: 'ID' },
      username: {
        type: 'string',
        required: false,
        read_only: true,
        label: 'Username',
        help_text: 'Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.',
      },
    };
    const { body: self } = await t.http.get('/auth/users/me/').set(auth);
    for (const [path, method] of [
      ['/auth/users/', 'POST'],
      [`/auth/users/${self.id}/`, 'PUT'],
      ['/auth/users/me/', 'PUT'],
      ['/auth/users/set_password/', 'POST'],
      ['/auth/users/set_username/', 'POST'],
    ] as const) {
      const response = await t.http.options(path).set(auth);
      expect(JSON.stringify(response.body.actions), path).toBe(JSON.stringify({ [method]: userFields }));
    }
    // Another user's account, or none: CurrentUserOrAdmin refuses the object, so no actions.
    for (const path of [`/auth/users/${other.id}/`, '/auth/users/999999/']) {
      const response = await t.http.options(path).set(auth);
      expect({ status: response.status, actions: response.body.actions }, path).toEqual({ status: 200, actions: undefined });
    }
    expect((await t.http.options('/auth/users/')).status).toBe(401);
  });

  it('creates a post from a multipart body exactly as from JSON', async () => {
    const { user, auth } = await author();
    const response = await t.http.post('/api/posts/').set(auth).field('title', 'Multi').field('body', 'part');
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ title: 'Multi', body: 'part', owner: user.username });
    const repeated = await t.http.post('/api/posts/').set(auth).field('title', 'first').field('title', 'last').field('body', 'x');
    expect(repeated.body.title).toBe('last');
    const unicode = await t.http.post('/api/posts/').set(auth).field('title', 'Grüße ✓').field('body', 'x');
    expect(unicode.body.title).toBe('Grüße ✓');
    const invalid = await t.http.post('/api/posts/').set(auth).field('title', '');
    expect(invalid.status).toBe(400);
    expect(invalid.body).toEqual({ title: ['This field may not be blank.'], body: ['This field is required.'] });
  });

  it('refuses a file part and a malformed multipart body with 400, writing nothing', async () => {
    const { user, auth } = await author();
    const file = await t.http
      .post('/api/posts/')
      .set(auth)
      .field('title', 'With file')
      .field('body', 'b')
      .attach('attachment', Buffer.from('hello'), 'hello.txt');
    expect(file.status).toBe(400);
    expect(file.body).toEqual({ detail: 'Multipart form parse error - Part "attachment" is a file: this endpoint takes no file uploads.' });
    const noBoundary = await t.http.post('/api/posts/').set(auth).set('Content-Type', 'multipart/form-data').send('abc');
    expect(noBoundary.status).toBe(400);
    expect(noBoundary.body).toEqual({ detail: 'Multipart form parse error - Invalid boundary in multipart: None' });
    const truncated = await t.http
      .post('/api/posts/')
      .set(auth)
      .set('Content-Type', 'multipart/form-data; boundary=XX')
      .send('--XX\r\nContent-Disposition: form-data; name="title"\r\n\r\nhello');
    expect(truncated.status).toBe(400);
    expect(truncated.body.detail).toMatch(/^Multipart form parse error - /);
    expect(await countRows(t.db, 'posts_post', { owner_id: user.id })).toBe(0);
  });

  it('reads a part without a filename as a field, whatever its Content-Type, as Django does', async () => {
    const { auth } = await author();
    const response = await t.http
      .post('/api/posts/')
      .set(auth)
      .set('Content-Type', 'multipart/form-data; boundary=XX')
      .send(
        '--XX\r\nContent-Disposition: form-data; name="title"\r\nContent-Type: application/octet-stream\r\n\r\nOctets\r\n' +
          '--XX\r\nContent-Disposition: form-data; name="body"\r\n\r\nb\r\n--XX--\r\n',
      );
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ title: 'Octets', body: 'b' });
  });

  it('takes 1000 multipart fields and refuses 1001 with Django\'s message', async () => {
    const { auth } = await author();
    const body = (count: number) =>
      [...Array.from({ length: count - 2 }, (_, i) => `f${i}`), 'title', 'body']
        .map((name) => `--XX\r\nContent-Disposition: form-data; name="${name}"\r\n\r\nx\r\n`)
        .join('') + '--XX--\r\n';
    const post = (count: number) => t.http.post('/api/posts/').set(auth).set('Content-Type', 'multipart/form-data; boundary=XX').send(body(count));
    expect((await post(1000)).status).toBe(201);
    const refused = await post(1001);
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual({ detail: 'The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.' });
  });

  it('checks permissions before reading a multipart body, as DRF does', async () => {
    const response = await t.http.post('/api/posts/').attach('attachment', Buffer.from('x'), 'x.txt');
    expect(response.status).toBe(401);
  });

  it('answers a multipart body over MAX_BODY_BYTES with 413', async () => {
    const { auth } = await author();
    const response = await t.http
      .post('/api/posts/')
      .set(auth)
      .field('title', 't')
      .field('body', 'x'.repeat(t.config.maxBodyBytes + 1));
    expect(response.status).toBe(413);
  });
});
