// An unfiltered list's count comes from counters that triggers keep in the writing transaction
// (row_counts: one row per table on SQLite; on PostgreSQL a sum of slots that concurrent writers
// add to apart). Whoever writes, the count is COUNT(*)'s.
import Sqlite from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sqlitePath } from '../../src/db/index.js';
import { all } from '../../src/rest/data/index.js';
import { createTestDatabase, testProvider, type TestDatabase } from '../support/databases.js';
import { describeWithDatabase } from '../support/suite.js';

describeWithDatabase(`exact unfiltered counts (${testProvider})`, () => {
  let db: TestDatabase;
  let owner: number;
  beforeAll(async () => {
    db = await createTestDatabase();
    ({ id: owner } = await db.kysely.insertInto('auth_user').values({ username: 'u', password: 'x', date_joined: new Date() }).returning('id').executeTakeFirstOrThrow());
  });
  afterAll(() => db?.destroy());

  const posts = () => db.table({ table: 'posts_post', columns: ['id', 'title'], rowCounts: true, now: { insert: ['created_at'], update: ['updated_at'] } });
  const actual = async () => Number((await sql<{ n: number }>`SELECT COUNT(*) AS n FROM posts_post`.execute(db.kysely)).rows[0]!.n);
  const insertSql = (title: string) => `INSERT INTO posts_post (title, body, owner_id, created_at, updated_at) VALUES ('${title}', 'x', ${owner}, '2026-01-01T00:00:00.000+00:00', '2026-01-01T00:00:00.000+00:00')`;

  it("follows this connection's writes and other connections' writes", async () => {
    const table = posts();
    expect(await table.count(all)).toBe(0);
    await table.create({ title: 'mine', body: 'x', owner_id: owner });
    expect(await table.count(all)).toBe(1);
    if (testProvider === 'sqlite') {
      const other = new Sqlite(sqlitePath(db.url));
      try {
        for (let i = 0; i < 3; i++) other.exec(insertSql(`other ${i}`));
        other.exec(`BEGIN; ${insertSql('rolled back')}; ROLLBACK`);
        expect(await table.count(all)).toBe(4);
        other.exec("DELETE FROM posts_post WHERE title = 'other 0'");
      } finally {
        other.close();
      }
    } else {
      // Many writers at once, each in its own transaction, some rolled back: each backend adds to its slot.
      const clients = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const client = new pg.Client({ connectionString: db.url });
          await client.connect();
          return client;
        }),
      );
      try {
        await Promise.all(
          clients.map(async (client, i) => {
            await client.query('BEGIN');
            await client.query(insertSql(`other ${i}`));
            await client.query(insertSql(`twice ${i}`));
            await client.query(i % 4 === 3 ? 'ROLLBACK' : 'COMMIT');
          }),
        );
        await clients[0]!.query("DELETE FROM posts_post WHERE title LIKE 'twice %'");
        const { rows } = await clients[0]!.query("SELECT COUNT(*) AS slots FROM row_counts WHERE table_name = 'posts_post'");
        expect(Number(rows[0].slots)).toBeGreaterThan(1);
      } finally {
        await Promise.all(clients.map((client) => client.end()));
      }
    }
    expect(await table.count(all)).toBe(await actual());
    expect((await table.page(all, [{ field: 'id', descending: false }], 0, 100)).count).toBe(await actual());
    await table.delete((await table.create({ title: 'gone', body: 'x', owner_id: owner })).id as number);
    expect(await table.count(all)).toBe(await actual());
    // Deleting a user deletes their posts by the foreign key's cascade: the triggers see those too.
    const { id: leaving } = await db.kysely.insertInto('auth_user').values({ username: 'leaving', password: 'x', date_joined: new Date() }).returning('id').executeTakeFirstOrThrow();
    for (const title of ['a', 'b', 'c']) await table.create({ title, body: 'x', owner_id: leaving });
    await db.kysely.deleteFrom('auth_user').where('id', '=', leaving).execute();
    expect(await table.count(all)).toBe(await actual());
    // Every row at once: TRUNCATE on PostgreSQL (its own trigger), a DELETE without WHERE on SQLite.
    await (testProvider === 'postgresql' ? sql`TRUNCATE posts_post CASCADE` : sql`DELETE FROM posts_post`).execute(db.kysely);
    expect(await table.count(all)).toBe(0);
    await table.create({ title: 'after', body: 'x', owner_id: owner });
    expect(await table.count(all)).toBe(1);
  });
});
