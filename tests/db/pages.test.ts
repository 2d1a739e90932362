// A table's page ordered through a relation (`owner.username`) that neither its condition nor
// its columns use: the relation is joined where the page is sorted, for a plain list and for a
// search (on PostgreSQL a search's page comes from its matches, see src/db/tables.ts).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { all, type Condition } from '../../src/rest/data/index.js';
import { createTestDatabase, testProvider, type TestDatabase } from '../support/databases.js';
import { describeWithDatabase } from '../support/suite.js';

describeWithDatabase(`pages ordered through a relation (${testProvider})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    const now = new Date();
    for (const username of ['zoe', 'amy', 'max']) {
      const { id } = await db.kysely.insertInto('auth_user').values({ username, password: 'x', date_joined: now }).returning('id').executeTakeFirstOrThrow();
      await db.kysely
        .insertInto('posts_post')
        .values([1, 2].map((n) => ({ title: `${username} post ${n}`, body: 'text', owner_id: id, created_at: now, updated_at: now })))
        .execute();
    }
  });
  afterAll(() => db?.destroy());

  it('joins the relation for the order alone, with and without a search, past the end too', async () => {
    const posts = db.table({ table: 'posts_post', columns: ['id', 'title'], relations: { owner: { table: 'auth_user', column: 'owner_id' } } });
    const byOwner = [{ field: 'owner.username', descending: true } as const, { field: 'id', descending: false } as const];
    const titles = async (where: Condition<'title' | 'owner.username'>, offset: number, limit: number) => {
      const { count, rows } = await posts.page(where, byOwner, offset, limit);
      return { count, titles: rows.map((row) => row.title) };
    };
    expect(await titles(all, 0, 4)).toEqual({ count: 6, titles: ['zoe post 1', 'zoe post 2', 'max post 1', 'max post 2'] });
    expect(await titles(all, 4, 4)).toEqual({ count: 6, titles: ['amy post 1', 'amy post 2'] });
    const search: Condition<'title'> = { op: 'icontains', fields: ['title'], term: 'post 2' };
    expect(await titles(search, 0, 2)).toEqual({ count: 3, titles: ['zoe post 2', 'max post 2'] });
    expect(await titles(search, 2, 2)).toEqual({ count: 3, titles: ['amy post 2'] });
    expect(await titles(search, 3, 2)).toEqual({ count: 3, titles: [] });
  });
});
