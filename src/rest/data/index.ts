// The toolkit's data-access contract: what a viewset, a filter or a related field asks of a
// table, in the toolkit's own terms. src/db implements it (SQL through Kysely); nothing
// here knows which database or library answers.
//
// Fields are the table's column names; a dotted path (`what.name`) follows a to-one
// relation the table declares (one join per relation, however many conditions use it).

export type Value = string | number | bigint | boolean | Date | null;

declare const relatedRows: unique symbol;
/**
 * A row type's to-one relations, by name, for the compiler only: no row carries this key.
 * A table that declares relations reads rows of type `Columns & Related<{ owner: UserRow }>`,
 * so `owner.username` is a field of it and `owner.usrname` is not.
 */
export interface Related<Relations> {
  readonly [relatedRows]?: Relations;
}

/** A column of the row type. */
export type ColumnOf<Row> = keyof Row & string;
/** What a condition or an ordering may name: a column, or `relation.column` through a declared relation. */
export type FieldOf<Row> = ColumnOf<Row> | RelatedFieldOf<Row>;
type RelatedFieldOf<Row> =
  Row extends Related<infer Relations> ? { [R in keyof Relations & string]: `${R}.${ColumnOf<Relations[R]>}` }[keyof Relations & string] : never;

/**
 * A condition on rows: a tiny AST, compiled to SQL once per shape by the implementation.
 * `Field` is the names it uses: a condition naming only fields of a row type is one on
 * that row type (a Condition<'owner_id'> is a Condition<FieldOf<Borrowing>>).
 */
export type Condition<Field extends string = string> =
  | { op: 'eq' | 'lt' | 'lte' | 'gt' | 'gte'; field: Field; value: Value }
  | { op: 'in'; field: Field; values: readonly Value[] }
  | { op: 'isNull'; field: Field }
  /** Django's icontains over several fields: the term (taken literally) is in at least one of them, any case. */
  | { op: 'icontains'; fields: readonly Field[]; term: string }
  | { op: 'and' | 'or'; conditions: readonly Condition<Field>[] }
  | { op: 'not'; condition: Condition<Field> };

/** No condition: every row. */
export const all: Condition<never> = { op: 'and', conditions: [] };
export const eq = <Field extends string>(field: Field, value: Value): Condition<Field> => ({ op: 'eq', field, value });
export const and = <Field extends string>(...conditions: Condition<Field>[]): Condition<Field> => {
  const kept = conditions.filter((c) => !(c.op === 'and' && c.conditions.length === 0));
  return kept.length === 1 ? kept[0]! : { op: 'and', conditions: kept };
};

export interface Ordering<Field extends string = string> {
  field: Field;
  descending: boolean;
  /** NULL sorts as the largest value (PostgreSQL's default), on both databases. */
  nullable?: boolean;
}

/** The rows of one table as a viewset sees them (with its related fields joined). */
export interface Table<Row> {
  count(where: Condition<FieldOf<Row>>): Promise<number>;
  /**
   * One page, in order (related fields joined in the same statement), with the count of all
   * rows matching, as count() answers it: read together where the database can.
   */
  page(where: Condition<FieldOf<Row>>, orderBy: readonly Ordering<FieldOf<Row>>[], offset: number, limit: number): Promise<{ count: number; rows: Row[] }>;
  /** The first row matching, or null. */
  find(where: Condition<FieldOf<Row>>): Promise<Row | null>;
  /** Inserts; throws MissingReference / UniqueViolation. */
  create(values: Record<string, unknown>): Promise<Row>;
  /** Updates by id; throws RowGone, MissingReference, UniqueViolation. */
  update(id: number, values: Record<string, unknown>): Promise<Row>;
  /** Deletes by id (rows referring to it follow their foreign keys' ON DELETE); throws RowGone. */
  delete(id: number): Promise<void>;
}

/** The row to change is gone (deleted since it was read): a 404. */
export class RowGone extends Error {
  override name = 'RowGone';
}
/** A unique constraint refused the write. */
export class UniqueViolation extends Error {
  override name = 'UniqueViolation';
}
/** A foreign key names a row that does not exist. */
export class MissingReference extends Error {
  override name = 'MissingReference';
}
/**
 * The database cannot answer now: unreachable, busy or out of space, or a statement ran past
 * its time limit. A 503 the client may retry; `detail` is what it is told.
 */
export class DatabaseUnavailable extends Error {
  override name = 'DatabaseUnavailable';
  constructor(
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(detail, options);
  }
}
