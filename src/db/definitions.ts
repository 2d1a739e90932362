// The typed face of a table definition (./tables.ts): every table and column name is checked
// against the generated schema (src/generated/kysely), and the row type the table reads is
// derived from the definition, so a misspelled column fails to compile instead of failing
// as a 500 at request time.
import type { Selectable } from 'kysely';
import type { DB } from '../generated/kysely/database.js';
import type { Related } from '../rest/data/index.js';

export type TableName = keyof DB & string;
export type ColumnOf<T extends TableName> = keyof DB[T] & string;
/** A row of a table as a select reads it. */
export type RowOf<T extends TableName> = Selectable<DB[T]>;

/** A to-one relation: the related table and our foreign key column. */
export interface RelationDefinition<T extends TableName> {
  table: TableName;
  column: ColumnOf<T>;
}
export type Relations<T extends TableName> = Record<string, RelationDefinition<T>>;
type RelatedTables = Record<string, { table: TableName }>;
/** `relation.column` through one of the declared relations. */
export type RelatedColumn<R extends RelatedTables> = { [N in keyof R & string]: `${N}.${ColumnOf<R[N]['table']>}` }[keyof R & string];
export type NoRelations = Record<never, never>;

export interface TypedTableDefinition<
  T extends TableName,
  C extends ColumnOf<T>,
  R extends Relations<T>,
  J extends Record<string, RelatedColumn<R>>,
> {
  table: T;
  /** The columns read for each row. */
  columns: readonly C[];
  /** To-one relations conditions may follow (`what.name`): name → the related table and our foreign key column. */
  relations?: R;
  /** Related columns read with each row: alias → `relation.column` (joined in the same statement). */
  joined?: J;
  /** Columns set to the current time on insert, and on every update (Prisma's @default(now()), @updatedAt). */
  now?: { insert?: readonly ColumnOf<T>[]; update?: readonly ColumnOf<T>[] };
  /** SQLite: an FTS5 trigram table over these columns (external content, kept in sync by triggers). */
  searchIndex?: { table: string; columns: readonly ColumnOf<T>[] };
  /** PostgreSQL: column → its stored UPPER(column) copy in the row (a generated column, trigram-indexed), which searches compare. */
  upperCopies?: Partial<Record<ColumnOf<T>, string>>;
  /** PostgreSQL: column → the narrow table (id, value) of its UPPER(column) copies, trigram-indexed and kept by triggers, which searches compare. */
  upperCopyTables?: Partial<Record<ColumnOf<T>, string>>;
  /** Unfiltered counts are read from row_counts, which the table's triggers keep exact (a migration adds them). */
  rowCounts?: boolean;
  /** Column lists an index keeps the rows in (read either way): a search's page in such an order is sought by walking it. */
  orderIndexes?: readonly (readonly ColumnOf<T>[])[];
}

/** The row a table reads: its columns, its joined aliases, and (for conditions only) its relations' rows. */
export type TableRow<T extends TableName, C extends ColumnOf<T>, R extends Relations<T>, J extends Record<string, RelatedColumn<R>>> = Pick<
  RowOf<T>,
  C & keyof RowOf<T>
> & { [A in keyof J]: JoinedValue<R, J[A]> } & Related<{ [N in keyof R]: RowOf<R[N]['table']> }>;

type JoinedValue<R extends RelatedTables, Path> = Path extends `${infer N}.${infer Column}`
  ? Column extends keyof RowOf<R[N]['table']>
    ? RowOf<R[N]['table']>[Column]
    : never
  : never;
