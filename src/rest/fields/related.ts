// DRF's PrimaryKeyRelatedField: an id checked against the caller's part of a table, through
// the toolkit's data contract (one count query), after the plain checks.
import { and, eq, type Condition } from '../data/index.js';
import type { RequestContext } from '../types.js';
import { Deferred, described, field, FieldError, messages } from './field.js';
import { parsePrimaryKey, pythonTypeName } from './python.js';

/**
 * The rows a related field may point at: a model and, optionally, the caller's part of it.
 * `Field` is what the scope names; the table must have it, and an `id`.
 */
export interface RelatedQueryset<Field extends string> {
  table: { count(where: Condition<Field | 'id'>): Promise<number> };
  scope?: (ctx: RequestContext) => Condition<Field>;
}

/** Whether the caller's part of the queryset has a row with this id: one query. */
export async function existsIn<Field extends string>(queryset: RelatedQueryset<Field>, id: number, ctx: RequestContext): Promise<boolean> {
  const scope = queryset.scope?.(ctx);
  return (await queryset.table.count(scope ? and<Field | 'id'>(scope, eq('id', id)) : eq('id', id))) > 0;
}

/**
 * DRF PrimaryKeyRelatedField: the id of a row of `queryset`, looked up in the caller's
 * scope, so an id outside it reads exactly like one that does not exist.
 * The internal value is the id.
 */
export function primaryKeyRelatedField<Field extends string>(queryset: RelatedQueryset<Field>, options: { allowNull?: boolean } = {}) {
  const related = field(
    (input): Deferred<number> => {
      const pk = parsePrimaryKey(input);
      if (pk === null) throw new FieldError([messages.incorrectPkType(pythonTypeName(input))]);
      return new Deferred(async (ctx) => {
        const { id } = pk;
        if (id !== null && (await existsIn(queryset, id, ctx))) return id;
        throw new FieldError([messages.doesNotExist(pk.text)]);
      });
    },
    { type: 'integer' },
    { ...options, emptyIsNull: true },
  );
  return described(related, { type: 'field' });
}
