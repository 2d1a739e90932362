// The lending app: belongings lent to friends. Every row is owned (the OwnedModel mixin):
// each user sees, links and changes only their own friends, belongings and borrowings.
import { z } from 'zod';
import type { Database, Selectable, Tables } from '../../db/index.js';
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
import { eq } from '../../rest/data/index.js';
import { pageNumberPagination } from '../../rest/pagination/index.js';
import { IsAuthenticated, IsOwner } from '../../rest/permissions/index.js';
import { modelViewSet, ownedBy, type ModelViewSetOptions } from '../../rest/views/viewset.js';

const owned = ownedBy('owner_id');

type OwnedViewSetOptions<Row, Input extends z.ZodObject, Output extends z.ZodObject> = Pick<
  ModelViewSetOptions<Row, Input, Output>,
  'name' | 'table' | 'serializer' | 'filters' | 'protectedBy'
> & { label: string };

/** The lending app's resources differ only in their model, fields and filters. */
function ownedViewSet(modelPermissions: ModelPermissionPolicy) {
  return <Row, Input extends z.ZodObject, Output extends z.ZodObject>({ label, ...options }: OwnedViewSetOptions<Row, Input, Output>) =>
    modelViewSet({
      ...options,
      ...owned,
      permissions: [IsAuthenticated, IsOwner, ...modelPermissions(label)],
      pagination: pageNumberPagination({ pageSize: 10, maxPageSize: 100 }),
    });
}

/** Friend{id,name} and Belonging{id,name}: the same fields and filters over two models. */
const namedFields = {
  serializer: {
    input: z.object({ name: charField({ maxLength: 100 }) }),
    output: z.object({ id: z.int(), name: z.string().max(100) }),
    represent: (row: { id: number; name: string }) => ({ id: row.id, name: row.name }),
  },
  filters: [searchFilter(['name']), orderingFilter({ fields: { id: 'id', name: 'name' }, default: ['id'] })],
};

export function lendingViewSets(db: Database, modelPermissions: ModelPermissionPolicy) {
  const viewSet = ownedViewSet(modelPermissions);
  const named = (table: string) => db.table<{ id: number; name: string; owner_id: number }>({ table, columns: ['id', 'name', 'owner_id'] });
  const friend = named('lending_friend');
  const belonging = named('lending_belonging');
  const borrowing = db.table<Selectable<Tables['lending_borrowing']>>({
    table: 'lending_borrowing',
    columns: ['id', 'what_id', 'to_who_id', 'when', 'returned', 'owner_id'],
    relations: { what: { table: 'lending_belonging', column: 'what_id' }, to_who: { table: 'lending_friend', column: 'to_who_id' } },
    now: { insert: ['when'] },
  });
  // A related id must name one of the caller's own rows, in a body and in a filter alike.
  const ownFriends = { table: friend, scope: owned.scope };
  const ownBelongings = { table: belonging, scope: owned.scope };

  const friends = viewSet({
    name: 'Friend',
    label: 'lending.friend',
    table: friend,
    ...namedFields,
    protectedBy: { name: 'borrowing', count: (id: number) => borrowing.count(eq('to_who_id', id)) },
  });
  const belongings = viewSet({
    name: 'Belonging',
    label: 'lending.belonging',
    table: belonging,
    ...namedFields,
    protectedBy: { name: 'borrowing', count: (id: number) => borrowing.count(eq('what_id', id)) },
  });
  const borrowings = viewSet({
    name: 'Borrowing',
    label: 'lending.borrowing',
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
      toModel: ({ what, to_who, returned }) => ({
        ...(what === undefined ? {} : { what_id: what }),
        ...(to_who === undefined ? {} : { to_who_id: to_who }),
        ...(returned === undefined ? {} : { returned }),
      }),
      represent: (row) => ({
        id: row.id,
        what: row.what_id,
        to_who: row.to_who_id,
        when: formatDateTime(row.when),
        returned: row.returned === null ? null : formatDateTime(row.returned),
      }),
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
