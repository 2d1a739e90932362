// The clauses of a table's statements: conditions (WHERE), orderings and joins in SQL. Each
// works from a TableSql built once per table (./tables.ts), so a request allocates nothing here
// that the closures it replaces did not.
import { sql, type RawBuilder } from 'kysely';
import type { Condition, Ordering } from '../rest/data/index.js';
import type { Provider } from './provider.js';
import type { Slots, Statements } from './statements.js';

/** One table's statements: where they run, and the SQL pieces that do not change per request. */
export interface TableSql {
  readonly provider: Provider;
  readonly statements: Statements;
  readonly table: string;
  /** To-one relations conditions may follow (`what.name`): name → the related table and our foreign key column. */
  readonly relations: Readonly<Record<string, { table: string; column: string }>>;
  /** SQLite: an FTS5 trigram table over these columns. */
  readonly searchIndex: { table: string; columns: readonly string[] } | undefined;
  /** PostgreSQL: column → its stored UPPER(column) copy in the row (trigram-indexed). */
  readonly upperCopies: Readonly<Record<string, string | undefined>>;
  /** PostgreSQL: column → the narrow table (id, value) of its UPPER(column) copies, trigram-indexed. */
  readonly upperCopyTables: Readonly<Record<string, string | undefined>>;
  /** The table as `t`. */
  readonly from: RawBuilder<unknown>;
  /** The columns read for each row, related ones included. */
  readonly selection: RawBuilder<unknown>;
  /** The relations the selection's related columns are joined through. */
  readonly representationRelations: ReadonlySet<string>;
  /** Column lists an index keeps the rows in (read either way). */
  readonly orderIndexes: readonly (readonly string[])[];
}

// Trigram indexes find only terms of at least three characters.
const TRIGRAM = 3;
const codePoints = (text: string) => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

/** `%`, `_` and `\` matched literally: LIKE's escape character is a backslash on both databases. */
const likeLiteral = (term: string) => term.replace(/[\\%_]/g, '\\$&');
/** The LIKE pattern of icontains' term. */
export const containsPattern = (term: string) => `%${likeLiteral(term)}%`;
/** An FTS5 phrase: the term as one quoted string (its own quotes doubled). */
export const ftsPhrase = (term: string) => `"${term.replaceAll('"', '""')}"`;

export const ref = (field: string) => {
  const dot = field.indexOf('.');
  return dot === -1 ? sql.ref(`t.${field}`) : sql.ref(`r_${field.slice(0, dot)}.${field.slice(dot + 1)}`);
};
export const relationOf = (field: string) => (field.includes('.') ? field.slice(0, field.indexOf('.')) : undefined);

/**
 * PostgreSQL plans each statement once for any values (./index.ts): a term too short for the
 * pg_trgm indexes, which they would answer by reading all of themselves, gets a statement of its
 * own that they cannot serve, planned as the scan it is.
 */
export const shortOnPostgres = ({ provider }: TableSql, term: string) => provider === 'postgresql' && codePoints(term) < TRIGRAM;

/** Whether a search takes its candidates from the trigram index. */
export function usesIndex(tableSql: TableSql, condition: { fields: readonly string[]; term: string }): boolean {
  const { provider, searchIndex } = tableSql;
  return (
    provider === 'sqlite' &&
    searchIndex !== undefined &&
    condition.fields.every((f) => searchIndex.columns.includes(f)) &&
    codePoints(condition.term) >= TRIGRAM
  );
}

/**
 * The shape key and the values of a condition, in the order toSql takes its slots. Without
 * `index`, searches scan (LIKE alone) even where the trigram index could serve them.
 */
export function collect(tableSql: TableSql, condition: Condition, values: unknown[], used: Set<string>, index = true): string {
  switch (condition.op) {
    case 'and':
    case 'or':
      return `${condition.op}(${condition.conditions.map((c) => collect(tableSql, c, values, used, index)).join(',')})`;
    case 'not':
      return `not(${collect(tableSql, condition.condition, values, used, index)})`;
    case 'in':
      noteRelation(condition.field, used);
      values.push(...condition.values);
      return `in(${condition.field},${condition.values.length})`;
    case 'isNull':
      noteRelation(condition.field, used);
      return `null(${condition.field})`;
    case 'icontains': {
      for (const field of condition.fields) noteRelation(field, used);
      values.push(containsPattern(condition.term));
      const useIndex = index && usesIndex(tableSql, condition);
      if (useIndex) values.push(ftsPhrase(condition.term));
      // PostgreSQL: the copy tables (index) or the row's own value (scan), see upperLike.
      const postgres = tableSql.provider === 'postgresql' ? `${index ? 'c' : 'r'}${shortOnPostgres(tableSql, condition.term) ? 's' : ''}` : '';
      return `ic(${condition.fields.join(',')},${useIndex ? 1 : 0}${postgres})`;
    }
    default:
      noteRelation(condition.field, used);
      values.push(condition.value);
      return `${condition.op}(${condition.field})`;
  }
}
function noteRelation(field: string, used: Set<string>) {
  const relation = relationOf(field);
  if (relation !== undefined) used.add(relation);
}

const comparison = { eq: '=', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;
export function toSql(tableSql: TableSql, condition: Condition, slots: Slots, index = true): RawBuilder<unknown> {
  switch (condition.op) {
    case 'and':
    case 'or': {
      if (condition.conditions.length === 0) return condition.op === 'and' ? sql`1 = 1` : sql`1 = 0`;
      const parts = condition.conditions.map((c) => toSql(tableSql, c, slots, index));
      return sql`(${sql.join(parts, condition.op === 'and' ? sql` AND ` : sql` OR `)})`;
    }
    case 'not':
      return sql`NOT ${toSql(tableSql, condition.condition, slots, index)}`;
    case 'in':
      if (condition.values.length === 0) return sql`1 = 0`;
      return sql`${ref(condition.field)} IN (${sql.join(condition.values.map(() => slots.take()))})`;
    case 'isNull':
      return sql`${ref(condition.field)} IS NULL`;
    case 'icontains': {
      const pattern = slots.take();
      if (tableSql.provider === 'postgresql') return upperLike(tableSql, condition, pattern, index);
      const like = condition.fields.map((field) => sql`${ref(field)} LIKE ${pattern} ESCAPE '\\'`);
      const scan = sql`(${sql.join(like, sql` OR `)})`;
      if (!(index && usesIndex(tableSql, condition))) return scan;
      const fts = sql.table(tableSql.searchIndex!.table);
      return sql`(t.id IN (SELECT rowid FROM ${fts} WHERE ${fts} MATCH ${slots.take()}) AND ${scan})`;
    }
    default:
      return sql`${ref(condition.field)} ${sql.raw(comparison[condition.op])} ${slots.take()}`;
  }
}

/** The pattern folded once per statement (a scalar subquery, run once as an InitPlan), not per row. */
export const foldedPattern = (pattern: RawBuilder<unknown>) => sql`(SELECT UPPER(${pattern}))`;

/**
 * `value LIKE folded`. A term too short for the trigram indexes compares `value || ''`, the
 * same text in an expression they do not serve, so its statement is planned as the scan it is.
 */
export const foldedLike = (value: RawBuilder<unknown>, folded: RawBuilder<unknown>, short: boolean) =>
  short ? sql`(${value} || '') LIKE ${folded}` : sql`${value} LIKE ${folded}`;

/** Where a column's UPPER copy is kept: a copy table's `value`, or a column of the table itself. */
export interface Copy {
  readonly table: string;
  readonly column: string;
}
export function copyOf({ table, upperCopies, upperCopyTables }: TableSql, field: string): Copy | undefined {
  const copyTable = upperCopyTables[field];
  if (copyTable !== undefined) return { table: copyTable, column: 'value' };
  const copy = upperCopies[field];
  return copy === undefined ? undefined : { table, column: copy };
}

/**
 * PostgreSQL's icontains, Django's UPPER(column) LIKE UPPER(pattern). A column with a copy table
 * is searched there (the rows whose copy matches), one with a copy in the row compares that
 * copy, others fold the row's own value; so does every column of a scan (`index` false: a
 * statement testing rows it has read already).
 */
function upperLike(tableSql: TableSql, condition: { fields: readonly string[]; term: string }, pattern: RawBuilder<unknown>, index: boolean) {
  const folded = foldedPattern(pattern);
  const short = shortOnPostgres(tableSql, condition.term);
  const inRow: RawBuilder<unknown>[] = [];
  const inTables: RawBuilder<unknown>[] = [];
  for (const field of condition.fields) {
    const copy = copyOf(tableSql, field);
    if (copy === undefined || (copy.table !== tableSql.table && !index)) inRow.push(sql`UPPER(${ref(field)}) LIKE ${folded}`);
    else if (copy.table === tableSql.table) inRow.push(foldedLike(sql.ref(`t.${copy.column}`), folded, short));
    else inTables.push(sql`SELECT id FROM ${sql.table(copy.table)} WHERE ${foldedLike(sql.ref(copy.column), folded, short)}`);
  }
  const parts = inTables.length > 0 ? [sql`t.id IN (${sql.join(inTables, sql` UNION ALL `)})`, ...inRow] : inRow;
  return sql`(${sql.join(parts, sql` OR `)})`;
}

// `CROSS JOIN` (SQLite) keeps the table before it as the outer loop.
export const joinsFor = ({ table, relations }: TableSql, names: Iterable<string>, join = sql`JOIN`) =>
  [...names].map((name) => {
    const relation = relations[name];
    if (!relation) throw new Error(`${table} has no relation ${name}`);
    return sql` ${join} ${sql.table(relation.table)} AS ${sql.id(`r_${name}`)} ON ${sql.ref(`r_${name}.id`)} = ${sql.ref(`t.${relation.column}`)}`;
  });

/** ORDER BY's terms; `column` names where each ordering's value is read (its field, by default). */
export const orderSql = (orderBy: readonly Ordering[], column = (ordering: Ordering, _index: number) => ref(ordering.field)) =>
  sql.join(
    orderBy.map((ordering, index) => {
      const direction = sql.raw(ordering.descending ? 'DESC' : 'ASC');
      if (!ordering.nullable) return sql`${column(ordering, index)} ${direction}`;
      return sql`${column(ordering, index)} ${direction} ${sql.raw(ordering.descending ? 'NULLS FIRST' : 'NULLS LAST')}`;
    }),
  );

/** Whether `test` holds for a condition or any condition within it (`context` is passed on: no closure per request). */
export function someCondition<Context>(condition: Condition, test: (condition: Condition, context: Context) => boolean, context: Context): boolean {
  switch (condition.op) {
    case 'and':
    case 'or':
      // A counted loop: no closure or iterator per request.
      for (let i = 0; i < condition.conditions.length; i++) if (someCondition(condition.conditions[i]!, test, context)) return true;
      return false;
    case 'not':
      return someCondition(condition.condition, test, context);
    default:
      return test(condition, context);
  }
}

/** Whether a condition searches (icontains) anywhere. */
export const hasSearch = (condition: Condition) => someCondition(condition, (c) => c.op === 'icontains', undefined);
/**
 * Whether an index keeps the rows in this order, so that the first rows in it are a few index
 * steps away (without one, they are a sort of the whole table).
 */
export function indexedOrder({ orderIndexes }: TableSql, orderBy: readonly Ordering[]): boolean {
  const first = orderBy[0];
  if (first === undefined || orderBy.some((o) => o.descending !== first.descending || o.nullable)) return false;
  return orderIndexes.some((columns) => orderBy.every((o, i) => columns[i] === o.field));
}
export const orderKey = (orderBy: readonly Ordering[]) => orderBy.map((o) => `${o.descending ? '-' : ''}${o.field}${o.nullable ? '?' : ''}`).join(',');
