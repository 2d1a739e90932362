// The lending app: belongings lent to friends. Every row is owned (the OwnedModel mixin):
// each user sees, links and changes only their own friends, belongings and borrowings.
import { z } from 'zod';
import type { Database } from '../../db/index.js';
import { charField, dateTimeField, formatDateTime, primaryKeyRelatedField, representation } from '../../rest/fields/index.js';
import {
  dateTimeFilter,
  filterSet,
  isNullFilter,
  isSetFilter,
  nullable,
  orderingFilter,
  relatedFilter,
  searchFilter,
} from '../../rest/filters/index.js';
import type { ModelPermissionPolicy } from '../../rest/permissions/model-permissions.js';
import { pageNumberPagination } from '../../rest/pagination/index.js';
import { IsAuthenticated, IsOwner } from '../../rest/permissions/index.js';
import { modelViewSet, ownedBy } from '../../rest/views/viewset.js';

const owned = ownedBy('owner_id');

/** What the lending app's resources share: owned rows, signed-in callers, the same pages. */
function ownedResource(modelPermissions: ModelPermissionPolicy, label: string) {
  return {
    ...owned,
    permissions: [IsAuthenticated, IsOwner, ...modelPermissions(label)],
    pagination: pageNumberPagination({ pageSize: 10, maxPageSize: 100 }),
  };
}

/** Friend{id,name} and Belonging{id,name}: the same fields and filters over two models. */
const namedFields = {
  serializer: {
    input: z.object({ name: charField({ maxLength: 100 }) }),
    output: z.object({ id: z.int(), name: z.string().max(100) }),
  },
  filters: [searchFilter(['name']), orderingFilter({ fields: ['id', 'name'], default: ['id'] })],
};

export function lendingViewSets(db: Database, modelPermissions: ModelPermissionPolicy) {
  const named = (table: 'lending_friend' | 'lending_belonging') => db.table({ table, columns: ['id', 'name', 'owner_id'] });
  const friend = named('lending_friend');
  const belonging = named('lending_belonging');
  const borrowing = db.table({
    table: 'lending_borrowing',
    columns: ['id', 'what_id', 'to_who_id', 'when', 'returned', 'owner_id'],
    relations: { what: { table: 'lending_belonging', column: 'what_id' }, to_who: { table: 'lending_friend', column: 'to_who_id' } },
    now: { insert: ['when'] },
  });
  // A related id must name one of the caller's own rows, in a body and in a filter alike.
  const ownFriends = { table: friend, scope: owned.scope };
  const ownBelongings = { table: belonging, scope: owned.scope };

  const friends = modelViewSet({
    name: 'Friend',
    ...ownedResource(modelPermissions, 'lending.friend'),
    table: friend,
    ...namedFields,
  });
  const belongings = modelViewSet({
    name: 'Belonging',
    ...ownedResource(modelPermissions, 'lending.belonging'),
    table: belonging,
    ...namedFields,
  });
  const borrowings = modelViewSet({
    name: 'Borrowing',
    ...ownedResource(modelPermissions, 'lending.borrowing'),
    table: borrowing,
    serializer: {
      input: z.object({
        what: primaryKeyRelatedField(ownBelongings),
        to_who: primaryKeyRelatedField(ownFriends),
        returned: dateTimeField({ allowNull: true }).optional(),
      }),
      output: z.object({
        id: z.int(),
        what: z.int().meta({ description: 'The id of the belonging lent.' }),
        to_who: z.int().meta({ description: 'The id of the friend it was lent to.' }),
        when: representation.dateTime(),
        returned: representation.dateTime().nullable().meta({ description: 'When it came back; null while still lent out.' }),
      }),
      sources: { what: 'what_id', to_who: 'to_who_id' },
      represent: { when: formatDateTime, returned: (at) => (at === null ? null : formatDateTime(at)) },
    },
    filters: [
      filterSet({
        returned: isSetFilter('returned'),
        returned__isnull: isNullFilter('returned'),
        returned__gte: dateTimeFilter('returned', 'gte'),
        returned__lte: dateTimeFilter('returned', 'lte'),
        what: relatedFilter('what_id', ownBelongings),
        to_who: relatedFilter('to_who_id', ownFriends),
      }),
      searchFilter(['what.name', 'to_who.name']),
      orderingFilter({ fields: { id: 'id', when: 'when', returned: nullable('returned') }, default: ['when', 'id'] }),
    ],
  });
  return { friends, belongings, borrowings };
}
