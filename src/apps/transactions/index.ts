// Transactions: private to their user. Amounts are exact decimals kept as integer cents.
import { z } from 'zod';
import type { Database } from '../../db/index.js';
import { charField, decimalField, formatDateTime, formatScaled, representation } from '../../rest/fields/index.js';
import { dateTimeFilter, decimalFilter, filterSet, orderingFilter, searchFilter } from '../../rest/filters/index.js';
import type { ModelPermissionPolicy } from '../../rest/permissions/model-permissions.js';
import { limitOffsetPagination } from '../../rest/pagination/index.js';
import { IsAuthenticated } from '../../rest/permissions/index.js';
import { modelViewSet, ownedBy } from '../../rest/views/viewset.js';

const places = 2;
const amount = { maxDigits: 10, decimalPlaces: places };

// As the Django model: `description = CharField(max_length=255, blank=True)`, so it may be left out (blank).
const transactionInput = z.object({ amount: decimalField(amount), description: charField({ maxLength: 255, allowBlank: true }).optional() });
const transactionOutput = z.object({
  id: z.int(),
  user: representation.field(z.int().meta({ description: "The owner's user id." })),
  amount: representation.decimal(amount),
  description: z.string(),
  timestamp: representation.dateTime(),
});

export function transactionsViewSet(db: Database, modelPermissions: ModelPermissionPolicy) {
  return modelViewSet({
    name: 'Transaction',
    table: db.table({
      table: 'transactions_transaction',
      columns: ['id', 'user_id', 'amount_cents', 'description', 'timestamp'],
      now: { insert: ['timestamp'] },
      upperCopies: { description: 'description_upper' },
    }),
    serializer: {
      input: transactionInput,
      output: transactionOutput,
      defaults: { description: '' },
      sources: { user: 'user_id', amount: 'amount_cents' },
      represent: { amount: (cents) => formatScaled(cents, places), timestamp: formatDateTime },
    },
    ...ownedBy('user_id'),
    permissions: [IsAuthenticated, ...modelPermissions('transactions.transaction')],
    pagination: limitOffsetPagination({ defaultLimit: 5, maxLimit: 20 }),
    filters: [
      filterSet({
        amount: decimalFilter('amount_cents', places, 'exact'),
        amount__gte: decimalFilter('amount_cents', places, 'gte'),
        amount__lte: decimalFilter('amount_cents', places, 'lte'),
        amount__gt: decimalFilter('amount_cents', places, 'gt'),
        amount__lt: decimalFilter('amount_cents', places, 'lt'),
        timestamp__gte: dateTimeFilter('timestamp', 'gte'),
        timestamp__lte: dateTimeFilter('timestamp', 'lte'),
      }),
      searchFilter(['description']),
      orderingFilter({ fields: { id: 'id', amount: 'amount_cents', timestamp: 'timestamp' }, default: ['-timestamp', '-id'] }),
    ],
  });
}
