// What bounds a request's database work, and what a client gets when the database cannot
// answer: 64 search terms make a query that grows linearly (one join per relation, whatever
// the terms); a statement past DATABASE_STATEMENT_TIMEOUT (PostgreSQL: cancelled by the
// server) or a lock held past it (SQLite's lock wait) answers 503 with Retry-After; a full
// SQLite database (PRAGMA max_page_count makes its writes fail with SQLITE_FULL, as a full
// disk does) answers each write 503 at once, keeps nothing of it, and takes the next write
// once there is room again.
import Sqlite from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { expect, it } from 'vitest';
import { sqlitePath } from '../../src/db/index.js';
import { useTestApp } from '../support/app.js';
import { countRows, testProvider } from '../support/databases.js';
import { describeWithDatabase } from '../support/suite.js';

/** How often `pattern` occurs in `text`. */
const occurrences = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;

describeWithDatabase(`database limits (${testProvider})`, () => {
  const t = useTestApp({}, { statementTimeout: 1 });

  async function client() {
    const user = await t.createUser();
    return { user, auth: await t.bearer(user) };
  }

  it('64 search terms answer 200 with a query linear in the terms: the same joins as for one term', async () => {
    const { auth } = await client();
    const friend = (await t.http.post('/api/friends/').set(auth).send({ name: 'Ann Lee' })).body as { id: number };
    const drill = (await t.http.post('/api/belongings/').set(auth).send({ name: 'Drill press' })).body as { id: number };
    expect((await t.http.post('/api/borrowings/').set(auth).send({ what: drill.id, to_who: friend.id })).status).toBe(201);
    await t.http.post('/api/posts/').set(auth).send({ title: 'Drill press', body: 'lent to Ann Lee' });

    // Pairs of terms matching the row: one short (a scan's LIKE), one of 3+ characters (the trigram index's).
    const terms = (n: number) => Array.from({ length: n }, (_, i) => ['drill', 'press', 'ann', 'lee'][i % 4]!.slice(0, i % 2 === 0 ? 2 : 3));
    for (const path of ['/api/borrowings/', '/api/posts/']) {
      /** The page query's text for n terms (the statement reading the rows, the last one sent). */
      const statement = async (n: number) => {
        t.queries.reset();
        const response = await t.http.get(path).set(auth).query({ search: terms(n).join(' ') });
        expect(response.status, `${path} ${n} terms`).toBe(200);
        expect(response.body.count, `${path} ${n} terms`).toBe(1);
        return t.queries.statements.at(-1)!;
      };
      const [one, two, many] = [await statement(2), await statement(4), await statement(64)];
      expect(occurrences(many, /\bJOIN\b/g), path).toBe(occurrences(one, /\bJOIN\b/g));
      // Each pair of terms adds the same amount: parameters and sub-selects grow by a constant per
      // term. (On PostgreSQL the page statement holds its count, so its condition appears twice.)
      const conditions = testProvider === 'postgresql' ? 2 : 1;
      for (const counted of [/\?|\$\d+/g, /\bSELECT\b/g]) {
        const step = occurrences(two, counted) - occurrences(one, counted);
        expect(step, `${path} ${counted}`).toBeLessThanOrEqual(2 * 3 * conditions);
        expect(occurrences(many, counted) - occurrences(one, counted), `${path} ${counted}`).toBe(31 * step);
      }
    }
  });

  if (testProvider === 'postgresql') {
    it('cancels a statement at the statement timeout with a 503, then answers again', async () => {
      // Another session holds the table: the app's query waits on its lock, past the timeout.
      const holder = new pg.Client({ connectionString: t.db.url });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        await holder.query('LOCK TABLE posts_post IN ACCESS EXCLUSIVE MODE');
        const response = await t.http.get('/api/posts/');
        expect(response.status).toBe(503);
        expect(response.body).toEqual({ detail: 'Database query took too long, try again later.' });
        expect(response.headers['retry-after']).toBe('5');
        // Cancelled by the server, not merely given up on: nothing of the app still waits.
        const { rows } = await holder.query<{ n: string }>(
          "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
        );
        expect(rows[0]!.n).toBe('0');
      } finally {
        await holder.query('ROLLBACK');
        await holder.end();
      }
      expect((await t.http.get('/api/posts/')).status).toBe(200);
      expect(t.errors).toEqual([]);
    });
  }

  if (testProvider === 'sqlite') {
    it('answers a write 503 when another process holds the write lock past the busy timeout, then takes it', async () => {
      const { auth } = await client();
      const other = new Sqlite(sqlitePath(t.db.url));
      const before = await countRows(t.db, 'posts_post');
      try {
        other.exec('BEGIN IMMEDIATE');
        const refused = await t.http.post('/api/posts/').set(auth).send({ title: 'waits', body: 'x' });
        expect(refused.status).toBe(503);
        expect(refused.body).toEqual({ detail: 'Database busy, try again later.' });
        expect(refused.headers['retry-after']).toBe('5');
        // Reads are not blocked by a writer (WAL).
        expect((await t.http.get('/api/posts/')).status).toBe(200);
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      expect(await countRows(t.db, 'posts_post')).toBe(before);
      expect((await t.http.post('/api/posts/').set(auth).send({ title: 'written', body: 'x' })).status).toBe(201);
      expect(t.errors).toEqual([]);
    });

    it('answers each write 503 at once while the database is full, keeps nothing of it, and writes once there is room', async () => {
      const { auth } = await client();
      const kept = (await t.http.post('/api/posts/').set(auth).send({ title: 'kept', body: 'x' })).body as { id: number };
      const before = await countRows(t.db, 'posts_post');
      const pages = Number((await sql<{ page_count: number }>`PRAGMA page_count`.execute(t.db.kysely)).rows[0]!.page_count);
      // No page more than the file has now: a write needing one fails with SQLITE_FULL, as on a full disk.
      await sql.raw(`PRAGMA max_page_count = ${pages}`).execute(t.db.kysely);
      const logged = t.logs.length;
      try {
        const big = 'lorem ipsum '.repeat(20_000);
        for (let attempt = 0; attempt < 3; attempt += 1) {
          const refused = await t.http.post('/api/posts/').set(auth).send({ title: 'too big', body: big });
          expect(refused.status).toBe(503);
          expect(refused.body).toEqual({ detail: 'Database out of space, try again later.' });
          expect(refused.headers['retry-after']).toBe('5');
          const edit = await t.http.patch(`/api/posts/${kept.id}/`).set(auth).send({ body: big });
          expect(edit.status).toBe(503);
        }
        // Nothing half-written: no row, no search-index entry, the edited row unchanged.
        expect(await countRows(t.db, 'posts_post')).toBe(before);
        expect((await t.http.get('/api/posts/').query({ search: 'too big' })).body.count).toBe(0);
        expect((await t.http.get(`/api/posts/${kept.id}/`)).body.body).toBe('x');
      } finally {
        await sql.raw('PRAGMA max_page_count = 1073741823').execute(t.db.kysely);
      }
      const written = await t.http.post('/api/posts/').set(auth).send({ title: 'fits now', body: 'x' });
      expect(written.status).toBe(201);
      expect((await t.http.patch(`/api/posts/${kept.id}/`).set(auth).send({ body: 'edited' })).body.body).toBe('edited');
      expect(await countRows(t.db, 'posts_post')).toBe(before + 1);
      // One line when it filled, one when a write succeeded again; no stack trace, no error line.
      expect(t.logs.slice(logged).filter((line) => line.level === 'warn' && !line.status).map((line) => line.msg)).toEqual([
        expect.stringMatching(/^Database out of space \(.*\): writes are answered 503 until space is freed\.$/),
        'Database writes succeed again.',
      ]);
      expect(t.errors).toEqual([]);
    });
  }
});

// A wait well inside the timeout, on a loaded machine too.
if (testProvider === 'sqlite') {
  describeWithDatabase(`waiting for SQLite's write lock (${testProvider})`, () => {
    const t = useTestApp({}, { statementTimeout: 30 });

    it("waits for another process's write lock without holding up this process's other requests", async () => {
      const auth = await t.bearer(await t.createUser());
      const other = new Sqlite(sqlitePath(t.db.url));
      let answered: number | undefined;
      let write: Promise<void> | undefined;
      try {
        other.exec('BEGIN IMMEDIATE');
        t.queries.reset();
        write = t.http
          .post('/api/posts/')
          .set(auth)
          .send({ title: 'waited', body: 'x' })
          .then((response) => void (answered = response.status));
        // The insert has been refused at least once and waits for its next try.
        await expect.poll(() => t.queries.statements.some((s) => /^insert into "posts_post"/i.test(s))).toBe(true);
        // SQLite's busy handler would have slept the process for the whole wait: these would come after the write.
        expect((await t.http.get('/api/posts/')).status).toBe(200);
        expect((await t.http.get('/healthz')).status).toBe(200);
        expect(answered).toBeUndefined();
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      await write;
      expect(answered).toBe(201);
      expect((await t.http.get('/api/posts/').query({ search: 'waited' })).body.count).toBe(1);
      expect(t.errors).toEqual([]);
    });

    it('lets a transaction and single writes that all wait for the lock finish, in any order', async () => {
      const auth = await t.bearer(await t.createUser());
      const user = await t.createUser();
      const userAuth = await t.bearer(user);
      const other = new Sqlite(sqlitePath(t.db.url));
      const statuses: Promise<number>[] = [];
      try {
        other.exec('BEGIN IMMEDIATE');
        t.queries.reset();
        const post = (title: string) => t.http.post('/api/posts/').set(auth).send({ title, body: 'x' }).then((r) => r.status);
        statuses.push(post('first'));
        await expect.poll(() => t.queries.statements.some((s) => /^insert into "posts_post"/i.test(s))).toBe(true);
        // A transaction (set_password), holding this process's connection while it waits for the lock,
        // then more single writes behind it.
        statuses.push(
          t.http
            .post('/auth/users/set_password/')
            .set(userAuth)
            .send({ current_password: user.password, new_password: 'another long passphrase' })
            .then((r) => r.status),
        );
        await expect.poll(() => t.queries.statements.some((s) => /^begin immediate/i.test(s))).toBe(true);
        statuses.push(post('second'), post('third'));
        await new Promise((resolve) => setTimeout(resolve, 100));
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      expect(await Promise.all(statuses)).toEqual([201, 204, 201, 201]);
      expect(t.errors).toEqual([]);
    });
  });
}
