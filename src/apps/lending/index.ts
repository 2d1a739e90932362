// The lending app: belongings lent to friends. Every row is owned (the OwnedModel mixin):
// each user sees, links and changes only their own friends, belongings and borrowings.
import { z } from 'zod';
import type { Database } from '../../db/index.js';
import type { Borrowing } from '../../generated/sqlite/client.js';
import { charField, dateTimeField, formatDateTime, primaryKeyRelatedField, representation } from '../../rest/fields.js';
import {
  dateTimeFilter,
  filterSet,
  isNullFilter,
  isSetFilter,
  nullable,
  orderingFilter,
  relatedFilter,
  searchFilter,
} from '../../rest/filters.js';
import type { ModelPermissionPolicy } from '../../rest/model-permissions.js';
import { pageNumberPagination } from '../../rest/pagination.js';
import { IsAuthenticated, IsOwner } from '../../rest/permissions.js';
import { modelViewSet, ownedBy, type ModelViewSetOptions } from '../../rest/viewset.js';

const owned = ownedBy('ownerId');

type OwnedViewSetOptions<Row, Input extends z.ZodObject, Output extends z.ZodObject> = Pick<
  ModelViewSetOptions<Row, Input, Output>,
  'name' | 'model' | 'serializer' | 'filters' | 'protectedBy'
> & { label: string };

/** The lending app's resources differ only in their model, fields and filters. */
function ownedViewSet(db: Database, modelPermissions: ModelPermissionPolicy) {
  return <Row, Input extends z.ZodObject, Output extends z.ZodObject>({ label, ...options }: OwnedViewSetOptions<Row, Input, Output>) =>
    modelViewSet({
      ...options,
      ...owned,
      provider: db.provider,
      permissions: [IsAuthenticated, IsOwner, ...modelPermissions(label)],
      pagination: pageNumberPagination({ pageSize: 10, maxPageSize: 100 }),
    });
}

/** Friend{id,name} and Belonging{id,name}: the same fields and filters over two models. */
const named = {
  serializer: {
    input: z.object({ name: charField({ maxLength: 100 }) }),
    output: z.object({ id: z.int(), name: z.string().max(100) }),
    represent: (row: { id: number; name: string }) => ({ id: row.id, name: row.name }),
  },
  filters: [searchFilter(['name']), orderingFilter({ fields: { id: 'id', name: 'name' }, default: ['id'] })],
};

export function lendingViewSets(db: Database, modelPermissions: ModelPermissionPolicy) {
  const viewSet = ownedViewSet(db, modelPermissions);
  const { friend, belonging, borrowing } = db.prisma;
  // A related id must name one of the caller's own rows, in a body and in a filter alike.
  const ownFriends = { model: friend, scope: owned.scope };
  const ownBelongings = { model: belonging, scope: owned.scope };

  const friends = viewSet({
    name: 'Friend',
    label: 'lending.friend',
    model: friend,
    ...named,
    protectedBy: { name: 'borrowing', count: (toWhoId: number) => borrowing.count({ where: { toWhoId } }) },
  });
  const belongings = viewSet({
    name: 'Belonging',
    label: 'lending.belonging',
    model: belonging,
    ...named,
    protectedBy: { name: 'borrowing', count: (whatId: number) => borrowing.count({ where: { whatId } }) },
  });
  const borrowings = viewSet({
    name: 'Borrowing',
    label: 'lending.borrowing',
    model: borrowing,
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
        ...(what === undefined ? {} : { whatId: what }),
        ...(to_who === undefined ? {} : { toWhoId: to_who }),
        ...(returned === undefined ? {} : { returned }),
      }),
      represent: (row: Borrowing) => ({
        id: row.id,
        what: row.whatId,
        to_who: row.toWhoId,
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
        what: relatedFilter('whatId', ownBelongings),
        to_who: relatedFilter('toWhoId', ownFriends),
      }),
      searchFilter(['what.name', 'toWho.name']),
      orderingFilter({ fields: { id: 'id', when: 'when', returned: nullable('returned') }, default: ['when', 'id'] }),
    ],
  });
  return { friends, belongings, borrowings };
}
