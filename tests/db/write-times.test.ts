// A table's `now` columns (src/db/tables.ts): set on insert, the update ones on every update too;
// a column named for both is set once (PostgreSQL refuses an INSERT naming a column twice).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, testProvider, type TestDatabase } from '../support/databases.js';
import { describeWithDatabase } from '../support/suite.js';

describeWithDatabase(`write times (${testProvider})`, () => {
  let db: TestDatabase;
  let owner: number;
  beforeAll(async () => {
    db = await createTestDatabase();
    owner = (await db.kysely.insertInto('auth_user').values({ username: 'writer', password: 'x', date_joined: new Date() }).returning('id').executeTakeFirstOrThrow()).id;
  });
  afterAll(() => db?.destroy());

  it('sets a column named for insert and for update once on insert, and again on update', async () => {
    const posts = db.table({
      table: 'posts_post',
      columns: ['id', 'title', 'created_at', 'updated_at'],
      now: { insert: ['created_at', 'updated_at'], update: ['updated_at'] },
    });
    const before = Date.now();
    const created = await posts.create({ title: 't', body: 'b', owner_id: owner });
    expect(created.created_at.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(created.updated_at).toEqual(created.created_at);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const updated = await posts.update(created.id, { title: 'u' });
    expect(updated.created_at).toEqual(created.created_at);
    expect(updated.updated_at.getTime()).toBeGreaterThan(created.updated_at.getTime());
  });
});
