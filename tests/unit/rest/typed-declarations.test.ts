// Declarations name columns the compiler checks against the row type: each misspelling below
// must fail `tsc` (a `@ts-expect-error` that no longer errors fails it too).
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Database } from '../../../src/db/index.js';
import { type Related, type Table } from '../../../src/rest/data/index.js';
import { formatDateTime } from '../../../src/rest/fields/index.js';
import { dateTimeFilter, filterSet, orderingFilter, relatedFilter, searchFilter } from '../../../src/rest/filters/index.js';
import { pageNumberPagination } from '../../../src/rest/pagination/index.js';
import { modelViewSet, ownedBy } from '../../../src/rest/views/viewset.js';

type Post = { id: number; title: string; owner_id: number; created_at: Date } & Related<{ owner: { username: string } }>;
const posts: Table<Post> = {
  count: async () => 0,
  page: async () => ({ count: 0, rows: [] }),
  find: async () => null,
  create: async () => ({ id: 1, title: 't', owner_id: 1, created_at: new Date(0) }),
  update: async () => ({ id: 1, title: 't', owner_id: 1, created_at: new Date(0) }),
  delete: async () => undefined,
};
const users = { table: { count: async () => 0 } };
const serializer = {
  input: z.object({ title: z.string() }),
  output: z.object({ id: z.int(), title: z.string(), created_at: z.string() }),
  represent: { created_at: formatDateTime },
};
const base = { name: 'Post', table: posts, pagination: pageNumberPagination({ pageSize: 10 }) };

describe('typed declarations', () => {
  it('accept the columns and relations of the row', () => {
    const viewSet = modelViewSet({
      ...base,
      serializer,
      ...ownedBy('owner_id'),
      filters: [
        searchFilter(['title', 'owner.username']),
        orderingFilter({ fields: ['id', 'title'], default: ['-id'] }),
        orderingFilter({ fields: { newest: 'created_at' }, default: ['newest'] }),
        filterSet({ owner: relatedFilter('owner_id', users), since: dateTimeFilter('created_at', 'gte') }),
      ],
    });
    expect(viewSet.name).toBe('Post');
  });

  // Only compiled (`tsc` checks each line errs), never run: a wrong declaration may throw when built.
  it('refuse a misspelled column, anywhere', () => {
    const misspelled = () => {
      // @ts-expect-error: no column `titel`
      modelViewSet({ ...base, serializer, filters: [searchFilter(['titel'])] });
      // @ts-expect-error: no column `usrname` in the owner relation
      modelViewSet({ ...base, serializer, filters: [searchFilter(['owner.usrname'])] });
      // @ts-expect-error: no column `created`
      modelViewSet({ ...base, serializer, filters: [orderingFilter({ fields: { newest: 'created' }, default: ['newest'] })] });
      // @ts-expect-error: the default names an API field the filter does not have
      orderingFilter({ fields: ['id'], default: ['-title'] });
      // @ts-expect-error: no column `ownr_id`
      modelViewSet({ ...base, serializer, filters: [filterSet({ owner: relatedFilter('ownr_id', users) })] });
      // @ts-expect-error: no column `user_id`
      modelViewSet({ ...base, serializer, ...ownedBy('user_id') });
      // @ts-expect-error: no column `titel` to store the field in
      modelViewSet({ ...base, serializer: { ...serializer, sources: { title: 'titel' } } });
      // @ts-expect-error: created_at is a Date: the output's text needs a representation
      modelViewSet({ ...base, serializer: { input: serializer.input, output: serializer.output } });
      // @ts-expect-error: no column `updated_at` for this output field
      modelViewSet({ ...base, serializer: { ...serializer, output: serializer.output.extend({ updated_at: z.string() }) } });
    };
    const misspelledTables = (db: Database) => {
      // @ts-expect-error: no column `titel` in posts_post
      db.table({ table: 'posts_post', columns: ['id', 'titel'] });
      // @ts-expect-error: no table `posts`
      db.table({ table: 'posts', columns: ['id'] });
      // @ts-expect-error: no column `usrname` in auth_user
      db.table({ table: 'posts_post', columns: ['id'], relations: { owner: { table: 'auth_user', column: 'owner_id' } }, joined: { name: 'owner.usrname' } });
      // @ts-expect-error: no column `created` to set on insert
      db.table({ table: 'posts_post', columns: ['id'], now: { insert: ['created'] } });
    };
    expect(misspelled).toBeTypeOf('function');
    expect(misspelledTables).toBeTypeOf('function');
  });
});
