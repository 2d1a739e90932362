// Posts: everyone reads, authenticated users write, only the owner changes a post.
import { z } from 'zod';
import type { Database } from '../../db/index.js';
import { charField, formatDateTime, representation } from '../../rest/fields/index.js';
import { filterSet, orderingFilter, relatedFilter, searchFilter } from '../../rest/filters/index.js';
import type { ModelPermissionPolicy } from '../../rest/permissions/model-permissions.js';
import { pageNumberPagination } from '../../rest/pagination/index.js';
import { IsAuthenticatedOrReadOnly, IsOwnerOrReadOnly } from '../../rest/permissions/index.js';
import { modelViewSet } from '../../rest/views/viewset.js';

const postInput = z.object({ title: charField({ maxLength: 200 }), body: charField() });
const postOutput = z.object({
  id: z.int(),
  title: z.string().max(200),
  body: z.string(),
  owner: representation.field(z.string().meta({ description: "The owner's username." })),
  created_at: representation.dateTime(),
  updated_at: representation.dateTime(),
});

export function postsViewSet(db: Database, modelPermissions: ModelPermissionPolicy) {
  return modelViewSet({
    name: 'Post',
    table: db.table({
      table: 'posts_post',
      columns: ['id', 'title', 'body', 'owner_id', 'created_at', 'updated_at'],
      relations: { owner: { table: 'auth_user', column: 'owner_id' } },
      joined: { owner_username: 'owner.username' },
      now: { insert: ['created_at'], update: ['updated_at'] },
      searchIndex: { table: 'posts_post_fts', columns: ['title', 'body'] },
      upperCopies: { body: 'body_upper' },
      upperCopyTables: { title: 'posts_post_title_upper' },
      rowCounts: true,
      orderIndexes: [['created_at', 'id'], ['id']],
    }),
    serializer: {
      input: postInput,
      output: postOutput,
      sources: { owner: 'owner_username' },
      represent: { created_at: formatDateTime, updated_at: formatDateTime },
    },
    permissions: [IsAuthenticatedOrReadOnly, ...modelPermissions('posts.post', { anonReadOnly: true }), IsOwnerOrReadOnly],
    pagination: pageNumberPagination({ pageSize: 10, maxPageSize: 100 }),
    filters: [
      filterSet({ owner: relatedFilter('owner_id', { table: db.table({ table: 'auth_user', columns: ['id'] }) }) }),
      searchFilter(['title', 'body']),
      orderingFilter({ fields: ['id', 'title', 'created_at', 'updated_at'], default: ['-created_at', '-id'] }),
    ],
    onCreate: (ctx) => ({ owner_id: ctx.requireUser.id }),
  });
}
