// Posts: everyone reads, authenticated users write, only the owner changes a post.
import { z } from 'zod';
import type { Database } from '../../db/index.js';
import type { Post } from '../../generated/sqlite/client.js';
import { charField, formatDateTime, representation } from '../../rest/fields.js';
import { filterSet, orderingFilter, relatedFilter, searchFilter } from '../../rest/filters.js';
import type { ModelPermissionPolicy } from '../../rest/model-permissions.js';
import { pageNumberPagination } from '../../rest/pagination.js';
import { IsAuthenticatedOrReadOnly, IsOwnerOrReadOnly } from '../../rest/permissions.js';
import { modelViewSet } from '../../rest/viewset.js';

type PostRow = Post & { owner: { username: string } };

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
    model: db.prisma.post,
    provider: db.provider,
    include: { owner: { select: { username: true } } },
    serializer: {
      input: postInput,
      output: postOutput,
      represent: (post: PostRow) => ({
        id: post.id,
        title: post.title,
        body: post.body,
        owner: post.owner.username,
        created_at: formatDateTime(post.createdAt),
        updated_at: formatDateTime(post.updatedAt),
      }),
    },
    permissions: [IsAuthenticatedOrReadOnly, ...modelPermissions('posts.post', { anonReadOnly: true }), IsOwnerOrReadOnly],
    pagination: pageNumberPagination({ pageSize: 10, maxPageSize: 100 }),
    filters: [
      filterSet({ owner: relatedFilter('ownerId', { model: db.prisma.user }) }),
      searchFilter(['title', 'body']),
      orderingFilter({
        fields: { id: 'id', title: 'title', created_at: 'createdAt', updated_at: 'updatedAt' },
        default: ['-created_at', '-id'],
      }),
    ],
    onCreate: (ctx) => ({ ownerId: ctx.requireUser.id }),
  });
}
