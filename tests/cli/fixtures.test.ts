// loaddata and dumpdata against the database under test, with a fixture the DRF reference
// itself wrote (tests/fixtures/django/drf-dumpdata.json, made by make-drf-fixture.sh beside
// it: Django 3.2's `dumpdata contenttypes auth posts transactions lending authtoken
// token_blacklist` of a seeded database). Most runs are manage's main() in this process;
// stdin and a real exit code are checked in a separate process once.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.js';
import { useTestApp } from '../support/app.js';
import { manage, manageInProcess } from '../support/cli.js';
import { blankDatabaseUrl } from '../support/databases.js';
import { describeWithDatabase } from '../support/suite.js';

const fixturePath = new URL('../fixtures/django/drf-dumpdata.json', import.meta.url).pathname;
interface FixtureObject {
  model: string;
  pk: number | string;
  fields: Record<string, unknown>;
}
const fixture = JSON.parse(readFileSync(fixturePath, 'utf8')) as FixtureObject[];
const of = (model: string) => fixture.filter((object) => object.model === model);
const password = 'Sup3r-Secret-pw!';
const scratch = mkdtempSync(join(tmpdir(), 'fixtures-test-'));
let written = 0;
/** Writes objects to a fixture file of their own; returns its path. */
function fixtureFile(objects: unknown): string {
  written += 1;
  const path = join(scratch, `fixture-${written}.json`);
  writeFileSync(path, JSON.stringify(objects));
  return path;
}

describeWithDatabase('loaddata and dumpdata', () => {
  const t = useTestApp();
  const run = (args: string[], url = t.db.url) => manageInProcess(args, url);
  const count = async (table: string) =>
    Number((await sql<{ n: number }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(t.db.kysely)).rows[0]!.n);
  const passwordOf = async (username: string) =>
    (await t.db.kysely.selectFrom('auth_user').select('password').where('username', '=', username).executeTakeFirstOrThrow()).password;

  beforeAll(async () => {
    expect(await run(['loaddata', fixturePath])).toEqual({ code: 0, stdout: `Installed ${fixture.length} object(s) from 1 fixture(s)\n`, stderr: '' });
  });

  it("keeps every object and its primary key: the DRF reference's rows, by id", async () => {
    const tables: [string, string][] = [
      ['auth.user', 'auth_user'],
      ['auth.group', 'auth_group'],
      ['auth.permission', 'auth_permission'],
      ['contenttypes.contenttype', 'django_content_type'],
      ['posts.post', 'posts_post'],
      ['transactions.transaction', 'transactions_transaction'],
      ['lending.friend', 'lending_friend'],
      ['lending.belonging', 'lending_belonging'],
      ['lending.borrowing', 'lending_borrowing'],
      ['authtoken.token', 'authtoken_token'],
      ['token_blacklist.outstandingtoken', 'token_blacklist_outstandingtoken'],
      ['token_blacklist.blacklistedtoken', 'token_blacklist_blacklistedtoken'],
    ];
    for (const [model, table] of tables) expect([model, await count(table)]).toEqual([model, of(model).length]);
    const postIds = (await t.db.kysely.selectFrom('posts_post').select('id').orderBy('id').execute()).map((row) => row.id);
    expect(postIds).toEqual(of('posts.post').map((object) => object.pk));
    const alice = of('auth.user').find((object) => object.fields.username === 'alice')!;
    expect(await t.db.kysely.selectFrom('auth_user').select(['id', 'first_name', 'last_name', 'last_login']).where('username', '=', 'alice').executeTakeFirstOrThrow()).toEqual({
      id: alice.pk,
      first_name: 'Alice',
      last_name: 'Liddell',
      last_login: new Date('2024-05-01T10:00:00Z'),
    });
    const amounts = await t.db.kysely.selectFrom('transactions_transaction').select(['id', 'amount_cents']).orderBy('id').execute();
    expect(amounts.map((row) => [row.id, row.amount_cents])).toEqual(of('transactions.transaction').map((object) => [object.pk, BigInt(String(object.fields.amount).replace('.', ''))]));
  });

  it("dumpdata writes the DRF reference's bytes back, but for what is not stored (the token key, the refresh token text)", async () => {
    // Before any test logs in: logins upgrade hashes and issue tokens.
    const outcome = await run(['dumpdata', '--indent', '2', 'contenttypes', 'auth', 'posts', 'transactions', 'lending', 'authtoken', 'token_blacklist']);
    const key = of('authtoken.token')[0]!.pk as string;
    const expected = readFileSync(fixturePath, 'utf8')
      .replace(`"pk": "${key}"`, `"pk": "sha256$${createHash('sha256').update(key).digest('hex')}"`)
      .replace(/"token": "eyJ[^"]+"/g, '"token": ""');
    expect(outcome).toEqual({ code: 0, stdout: expected, stderr: '' });
  });

  it("alice logs in with her Django password, and her PBKDF2 hash is re-made as the preferred bcrypt_sha256 in that request", async () => {
    expect(await passwordOf('alice')).toMatch(/^pbkdf2_sha256\$260000\$/);
    const response = await t.http.post('/api/token/').send({ username: 'alice', password });
    expect(response.status).toBe(200);
    expect(await passwordOf('alice')).toMatch(/^bcrypt_sha256\$\$2b\$04\$/);
    expect((await t.http.post('/api/token/').send({ username: 'alice', password })).status).toBe(200);
    expect((await t.http.post('/api/token/').send({ username: 'alice', password: 'wrong' })).status).toBe(401);
  });

  it('bob, whose hash an older Django made (36000 iterations), logs in on the other login paths too', async () => {
    expect(await passwordOf('bob')).toMatch(/^pbkdf2_sha256\$36000\$/);
    expect((await t.http.post('/api-token-auth/').send({ username: 'bob', password })).status).toBe(200);
    expect(await passwordOf('bob')).toMatch(/^bcrypt_sha256\$/);
  });

  it('carol, whose password Django made unusable, cannot log in with any', async () => {
    expect(await passwordOf('carol')).toMatch(/^!/);
    for (const attempt of ['!', password]) expect((await t.http.post('/api/token/').send({ username: 'carol', password: attempt })).status).toBe(401);
  });

  it("the DRF token's key authenticates, and only its digest is stored", async () => {
    const [token] = of('authtoken.token');
    const key = token!.pk as string;
    const response = await t.http.get('/api/profile/').set('Authorization', `Token ${key}`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ username: 'alice', email: 'alice@example.com' });
    const stored = (await t.db.kysely.selectFrom('authtoken_token').select('digest').execute()).map((row) => row.digest);
    expect(stored).toContain(createHash('sha256').update(key).digest('hex'));
    expect(stored).not.toContain(key);
  });

  it('groups and permissions: bob has the editors group\'s, alice her own', async () => {
    const bob = await run(['listperms', 'bob']);
    expect(bob.stdout).toBe('lending.add_friend (through group "editors")\nposts.change_post (through group "editors")\n');
    expect((await run(['listperms', 'alice'])).stdout).toBe('lending.view_friend\n');
  });

  it('a new post gets an id after the highest one loaded', async () => {
    const user = await t.createUser();
    const response = await t.http.post('/api/posts/').set(await t.bearer(user)).send({ title: 'After the move', body: 'x' });
    expect(response.status).toBe(201);
    expect(response.body.id).toBe(Math.max(...of('posts.post').map((object) => object.pk as number)) + 1);
  });

  it('round trip: dumpdata, loaddata into an empty database, dumpdata again gives the same bytes', async () => {
    const first = await run(['dumpdata']);
    expect(first.code).toBe(0);
    const empty = await blankDatabaseUrl();
    try {
      await migrate(empty.url);
      const loaded = await run(['loaddata', fixtureFile(JSON.parse(first.stdout))], empty.url);
      expect(loaded.code).toBe(0);
      expect((await run(['dumpdata'], empty.url)).stdout).toBe(first.stdout);
      // Loading it again replaces each row by its pk: nothing doubles.
      expect((await run(['loaddata', fixtureFile(JSON.parse(first.stdout))], empty.url)).code).toBe(0);
      expect((await run(['dumpdata'], empty.url)).stdout).toBe(first.stdout);
    } finally {
      await empty.drop();
    }
  });

  it('dumpdata selects apps and models, writes a file with -o, and refuses an unknown label', async () => {
    const path = join(scratch, 'lending.json');
    expect(await run(['dumpdata', 'lending.friend', 'auth.group', '-o', path])).toEqual({ code: 0, stdout: '', stderr: '' });
    const objects = JSON.parse(readFileSync(path, 'utf8')) as FixtureObject[];
    expect(objects.map((object) => object.model)).toEqual([...of('lending.friend'), ...of('auth.group')].map((object) => object.model));
    expect(readFileSync(path, 'utf8')).toMatch(/^\[\{"model": "lending\.friend", "pk": 1, "fields": \{"owner": 1, "name": "Carol"\}\}, /);
    expect(await run(['dumpdata', 'lending.friends'])).toEqual({ code: 1, stdout: '', stderr: 'Error: Unknown model: lending.friends\n' });
    expect(await run(['dumpdata', 'sessions'])).toEqual({ code: 1, stdout: '', stderr: "Error: No installed app with label 'sessions'.\n" });
  });

  it("dumpdata groups the models by app as Django does, each app where it is first named, and takes --indent 0 as Django does", async () => {
    const modelsOf = (outcome: { stdout: string }) => [...new Set((JSON.parse(outcome.stdout) as FixtureObject[]).map((object) => object.model))];
    expect(modelsOf(await run(['dumpdata', 'auth.user', 'posts', 'auth.group']))).toEqual(['auth.user', 'auth.group', 'posts.post']);
    // An app named whole gives all its models, in their order, wherever a model of it was named first.
    expect(modelsOf(await run(['dumpdata', 'lending.borrowing', 'auth.group', 'lending']))).toEqual(['lending.friend', 'lending.belonging', 'lending.borrowing', 'auth.group']);
    expect(await run(['dumpdata', 'Auth'])).toEqual({ code: 1, stdout: '', stderr: "Error: No installed app with label 'Auth'.\n" });
    expect(await run(['dumpdata', 'auth.user.email'])).toEqual({ code: 1, stdout: '', stderr: "Error: No installed app with label 'auth.user.email'.\n" });
    expect(await run(['dumpdata', 'nope.user'])).toEqual({ code: 1, stdout: '', stderr: "Error: No installed app with label 'nope'.\n" });
    // --indent 0: Django writes no newline after `[`, but json.dumps(indent=0) puts each value on a line of its own.
    const lineEach = (object: FixtureObject) => JSON.stringify(object, null, '\t').replaceAll('\t', '');
    expect(await run(['dumpdata', '--indent', '0', 'auth.group'])).toEqual({ code: 0, stdout: `[${of('auth.group').map(lineEach).join(', ')}]`, stderr: '' });
  });

  it("takes Django's -e/--exclude, -i/--ignorenonexistent and --format json", async () => {
    const friend = { model: 'lending.friend', pk: 800, fields: { owner: 1, name: 'Yan' } };
    const session = { model: 'sessions.session', pk: 'k', fields: { session_data: 'x', expire_date: '2024-01-02T03:04:05Z' } };
    const extra = { model: 'lending.belonging', pk: 800, fields: { owner: 1, name: 'Oar', bought: '2020-01-01' } };
    // As Django: excluded objects count in "(of N)"; a model this server does not keep may be excluded.
    expect(await run(['loaddata', '-e', 'sessions', '--exclude', 'lending.Belonging', '--format', 'json', fixtureFile([friend, session, extra])])).toEqual({
      code: 0,
      stdout: 'Installed 1 object(s) (of 3) from 1 fixture(s)\n',
      stderr: '',
    });
    // -i skips unknown models (not counted, as Django) and drops unknown fields.
    expect(await run(['loaddata', '-i', fixtureFile([session, extra])])).toEqual({ code: 0, stdout: 'Installed 1 object(s) from 1 fixture(s)\n', stderr: '' });
    expect(await t.db.kysely.selectFrom('lending_belonging').select('name').where('id', '=', 800).executeTakeFirst()).toEqual({ name: 'Oar' });
    expect(await run(['loaddata', '-e', 'nope', fixtureFile([friend])])).toEqual({ code: 1, stdout: '', stderr: "Error: No installed app with label 'nope'.\n" });
    expect(await run(['loaddata', '-e', 'posts.nope', fixtureFile([friend])])).toEqual({ code: 1, stdout: '', stderr: 'Error: Unknown model: posts.nope\n' });
    expect(await run(['loaddata', '--format', 'xml', fixtureFile([friend])])).toEqual({ code: 2, stdout: '', stderr: 'Error: loaddata: fixtures are read as JSON only (got --format xml)\n' });

    const modelsOf = (outcome: { stdout: string }) => [...new Set((JSON.parse(outcome.stdout) as FixtureObject[]).map((object) => object.model))];
    expect(modelsOf(await run(['dumpdata', 'lending', 'auth', '-e', 'lending.friend', '--exclude', 'auth.permission', '-e', 'sessions']))).toEqual(['lending.belonging', 'lending.borrowing', 'auth.group', 'auth.user']);
    expect(await run(['dumpdata', '-e', 'auth.nope'])).toEqual({ code: 1, stdout: '', stderr: 'Error: Unknown model: auth.nope\n' });
    expect(await run(['dumpdata', '--format', 'json', 'auth.group'])).toEqual(await run(['dumpdata', 'auth.group']));
    expect(await run(['dumpdata', '--format', 'yaml', 'auth.group'])).toEqual({ code: 2, stdout: '', stderr: 'Error: dumpdata: fixtures are written as JSON only (got --format yaml)\n' });
  });

  it("dumpdata --natural-foreign and --natural-primary write what Django writes, in Django's dependency order", async () => {
    const contentType = (id: unknown) => of('contenttypes.contenttype').find((object) => object.pk === id)!.fields;
    const permissionKey = (id: unknown) => {
      const permission = of('auth.permission').find((object) => object.pk === id)!.fields;
      return [permission.codename, contentType(permission.content_type).app_label, contentType(permission.content_type).model];
    };
    const groups = of('auth.group').map((group) => ({ model: 'auth.group', fields: { ...group.fields, permissions: (group.fields.permissions as number[]).map(permissionKey) } }));
    expect(await run(['dumpdata', '--natural-foreign', '--natural-primary', '--indent', '2', 'auth.group'])).toEqual({
      code: 0,
      stdout: `[\n${groups.map((group) => JSON.stringify(group, null, 2)).join(',\n')}\n]\n`,
      stderr: '',
    });
    const dumped = JSON.parse((await run(['dumpdata', '--natural-foreign', 'posts', 'auth.user', 'contenttypes', 'auth.permission'])).stdout) as FixtureObject[];
    // A model comes after the natural-keyed ones it refers to (as the DRF reference orders these): content types, permissions (users have some), users, posts.
    expect([...new Set(dumped.map((object) => object.model))]).toEqual(['contenttypes.contenttype', 'auth.permission', 'auth.user', 'posts.post']);
    const post = of('posts.post')[0]!;
    const owner = of('auth.user').find((user) => user.pk === post.fields.owner)!;
    expect(dumped.find((object) => object.model === 'posts.post' && object.pk === post.pk)!.fields.owner).toEqual([owner.fields.username]);
  });

  it("loads Django's recipe (--natural-foreign --natural-primary -e contenttypes -e auth.Permission) into a new database", async () => {
    // Django's migrate made every default permission; here the ones a fixture names are made as it loads.
    const objects = [
      { model: 'auth.group', fields: { name: 'movers', permissions: [['add_friend', 'lending', 'friend'], ['view_post', 'posts', 'post']] } },
      { model: 'auth.user', fields: { password: '!', username: 'mia', groups: [['movers']], user_permissions: [['change_post', 'posts', 'post']], date_joined: '2024-01-02T03:04:05Z' } },
      { model: 'posts.post', pk: 3, fields: { title: 't', body: 'b', owner: ['mia'], created_at: '2024-01-02T03:04:05Z', updated_at: '2024-01-02T03:04:05Z' } },
    ];
    const empty = await blankDatabaseUrl();
    try {
      await migrate(empty.url);
      expect(await run(['loaddata', fixtureFile(objects)], empty.url)).toEqual({ code: 0, stdout: 'Installed 3 object(s) from 1 fixture(s)\n', stderr: '' });
      expect((await run(['listperms', 'mia'], empty.url)).stdout).toBe('lending.add_friend (through group "movers")\nposts.change_post\nposts.view_post (through group "movers")\n');
      // A permission no installed model has is still refused.
      const unknown = [{ model: 'auth.group', fields: { name: 'others', permissions: [['add_logentry', 'admin', 'logentry']] } }];
      expect((await run(['loaddata', fixtureFile(unknown)], empty.url)).stderr).toContain('permissions: auth.permission matching ["add_logentry","admin","logentry"] does not exist');
    } finally {
      await empty.drop();
    }
  });

  it('reads natural keys (dumpdata --natural-foreign) for users, groups and permissions', async () => {
    const objects = [
      { model: 'auth.user', pk: 900, fields: { password: '!', username: 'dave', groups: [['editors']], user_permissions: [['view_post', 'posts', 'post']], date_joined: '2024-01-02T03:04:05.678Z' } },
      { model: 'posts.post', pk: 9000, fields: { title: 't', body: 'b', owner: ['dave'], created_at: '2024-01-02T03:04:05+01:00', updated_at: '2024-01-02 03:04:05' } },
    ];
    expect((await run(['loaddata', fixtureFile(objects)])).code).toBe(0);
    expect((await run(['listperms', 'dave'])).stdout).toBe('lending.add_friend (through group "editors")\nposts.change_post (through group "editors")\nposts.view_post\n');
    const post = await t.db.kysely.selectFrom('posts_post').select(['owner_id', 'created_at', 'updated_at']).where('id', '=', 9000).executeTakeFirstOrThrow();
    expect(post).toEqual({ owner_id: 900, created_at: new Date('2024-01-02T02:04:05Z'), updated_at: new Date('2024-01-02T03:04:05Z') });
  });

  it("objects without a pk, as Django's save(): a new row each time, or the user or group of that natural key", async () => {
    const maxPostId = async () => Number((await sql<{ top: number }>`SELECT MAX(id) AS top FROM posts_post`.execute(t.db.kysely)).rows[0]!.top);
    const top = await maxPostId();
    const post = { model: 'posts.post', fields: { title: 'No pk', body: 'b', owner: 1, created_at: '2024-01-02T03:04:05Z', updated_at: '2024-01-02T03:04:05Z' } };
    const path = fixtureFile([post, post]);
    expect(await run(['loaddata', path])).toEqual({ code: 0, stdout: 'Installed 2 object(s) from 1 fixture(s)\n', stderr: '' });
    // Loading it again adds two more rows: without a pk nothing says which row an object is (Django does the same).
    expect((await run(['loaddata', path])).code).toBe(0);
    const titled = await t.db.kysely.selectFrom('posts_post').select('id').where('title', '=', 'No pk').orderBy('id').execute();
    expect(titled.map((row) => row.id)).toEqual([top + 1, top + 2, top + 3, top + 4]);

    const alice = of('auth.user').find((object) => object.fields.username === 'alice')!;
    const users = await count('auth_user');
    const natural = [
      { model: 'auth.user', fields: { ...alice.fields, first_name: 'Alicia' } },
      { model: 'auth.group', fields: { name: 'reviewers', permissions: [['view_post', 'posts', 'post']] } },
    ];
    expect((await run(['loaddata', fixtureFile(natural)])).code).toBe(0);
    expect(await count('auth_user')).toBe(users);
    expect(await t.db.kysely.selectFrom('auth_user').select(['id', 'first_name']).where('username', '=', 'alice').executeTakeFirstOrThrow()).toEqual({ id: alice.pk, first_name: 'Alicia' });
    expect((await run(['listperms', 'group:reviewers'])).stdout).toBe('posts.view_post\n');
  });

  describe('a bad object loads nothing and is named in one line', () => {
    const good = { model: 'auth.user', pk: 990, fields: { password: '!', username: 'erin', date_joined: '2024-01-02T03:04:05Z' } };
    const post = (fields: Record<string, unknown>) => ({ model: 'posts.post', pk: 9990, fields: { title: 't', body: 'b', owner: 990, created_at: '2024-01-02T03:04:05Z', updated_at: '2024-01-02T03:04:05Z', ...fields } });
    it.each<[string, unknown, string]>([
      ['an unknown model', { model: 'sessions.session', pk: 'abc', fields: {} }, `object #2 (sessions.session pk="abc"): Invalid model identifier: 'sessions.session' (this server loads`],
      ['an unknown field', post({ author: 1 }), `object #2 (posts.post pk=9990): posts.post has no field named 'author'`],
      ['a dangling foreign key', post({ owner: 12345 }), `object #2 (posts.post pk=9990): owner: auth.user matching 12345 does not exist`],
      ['a bad date', post({ created_at: '2024-02-30T00:00:00Z' }), `object #2 (posts.post pk=9990): created_at: “2024-02-30T00:00:00Z” value has the correct format (YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ]) but it is an invalid date/time.`],
      ['a bad decimal', { model: 'transactions.transaction', pk: 9990, fields: { user: 990, amount: '1.234', description: '', timestamp: '2024-01-02T03:04:05Z' } }, `object #2 (transactions.transaction pk=9990): amount: “1.234” has more than 2 decimal places`],
      ['a missing field', post({ title: undefined }), `object #2 (posts.post pk=9990): title: this field is required`],
      ['a taken username', { ...good, pk: 991, fields: { ...good.fields, username: 'alice' } }, `object #2 (auth.user pk=991): username "alice" is already that of auth.user pk=1`],
    ])('%s', async (_, bad, problem) => {
      const users = await count('auth_user');
      const path = fixtureFile([good, bad]);
      const outcome = await run(['loaddata', path]);
      expect(outcome.code).toBe(1);
      expect(outcome.stdout).toBe('');
      expect(outcome.stderr).toContain(`Error: Problem installing fixture '${path}': ${problem}`);
      expect(outcome.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(await count('auth_user')).toBe(users);
    });

    it("a file that does not exist, in Django's words", async () => {
      expect(await run(['loaddata', join(scratch, 'missing.json')])).toEqual({ code: 1, stdout: '', stderr: "Error: No fixture named 'missing' found.\n" });
      expect(await run(['loaddata', 'no/such.dump.json.gz'])).toEqual({ code: 1, stdout: '', stderr: "Error: No fixture named 'such.dump' found.\n" });
      expect(await run(['loaddata', './such.dump.json'])).toEqual({ code: 1, stdout: '', stderr: "Error: No fixture named './such.dump' found.\n" });
    });

    it('a file that is not a JSON list', async () => {
      const path = join(scratch, 'broken.json');
      writeFileSync(path, '{"model": ');
      const outcome = await run(['loaddata', path]);
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toMatch(new RegExp(`^Error: Problem installing fixture '${path}': .*JSON.*\\n$`));
    });
  });

  // A process of its own (tsx compiling the CLI) takes seconds on a loaded machine: one run only, and time to spare.
  it('reads stdin (-) and several files, in a separate process', { timeout: 90_000 }, async () => {
    const objects = [{ model: 'lending.friend', pk: 700, fields: { owner: 1, name: 'Zed' } }];
    const more = fixtureFile([{ model: 'lending.belonging', pk: 700, fields: { owner: 1, name: 'Kayak' } }]);
    expect(await manage(['loaddata', '-', more], t.db.url, { input: JSON.stringify(objects) })).toEqual({
      code: 0,
      stdout: 'Installed 2 object(s) from 2 fixture(s)\n',
      stderr: '',
    });
    expect(await t.db.kysely.selectFrom('lending_friend').select('name').where('id', '=', 700).executeTakeFirst()).toEqual({ name: 'Zed' });
  });

  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
});
