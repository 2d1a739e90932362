// The toolkit's Table contract (src/rest/data.ts) in SQL. Each distinct query shape is
// compiled once (./statements.ts); a request only walks its conditions to collect the
// values and the shape key.
//
// What a request costs (statements):
// - list (page): the page, its related fields joined, and a plain COUNT(*) (so SQLite counts
//   from its smallest index; an unfiltered count comes from trigger-kept counters, see countAll): one
//   statement on PostgreSQL (one round trip; two for a search whose walked page finds too few
//   rows), and on SQLite where the count is kept; otherwise two on SQLite (in-process). The page's ids are
//   found first in a subquery that the ordering index answers alone, then joined for the full
//   rows: a deep page costs index steps, not full rows skipped.
// - retrieve: one statement. create/update: one (RETURNING the row, read back joined on
//   PostgreSQL), or, on SQLite for a table with related columns, the write then the row read back.
// - search: the predicate is Django's icontains on each database: LIKE (ASCII case folding) on
//   SQLite, UPPER(column) LIKE UPPER(pattern) on PostgreSQL (not ILIKE, which folds by lower()
//   and so differs on ς/σ or ſ/s). Terms of 3+ characters find candidates with the trigram
//   index (SQLite FTS5; on PostgreSQL pg_trgm GIN indexes on stored UPPER(column) copies,
//   which that LIKE compares: in narrow tables of their own for posts, see upperCopyTables, in
//   the row for transactions, see upperCopies), rechecked by the same LIKE as a scan, so the
//   answer is exactly icontains'.
//   Both first seek a search's page by walking the ordering index (one statement on
//   PostgreSQL, its count from the copy tables alone), and SQLite counts a search of
//   printable-ASCII terms in the FTS5 index alone: no read of every match of the table, where
//   there are many (./search.ts). Conditions, orderings and joins become SQL in ./clauses.ts.
import { sql, type RawBuilder } from 'kysely';
import { MissingReference, RowGone, UniqueViolation, type Condition, type Ordering, type Table } from '../rest/data/index.js';
import { collect, hasSearch, indexedOrder, joinsFor, orderKey, orderSql, ref, relationOf, toSql, type TableSql } from './clauses.js';
import { isForeignKeyViolation, isUniqueViolation } from './errors.js';
import type { Provider } from './provider.js';
import type { Row } from './drivers.js';
import { copiedIdsSql, indexOnlyTerms, matchCount, pushCopiedSearches, searchesOnly, splitSearches, walkedPage, WALK_ROWS, type Search, type Split } from './search.js';
import type { Slots, Statements } from './statements.js';

/** The column a PostgreSQL page's rows carry their count in (removed before they are returned). */
const COUNT_COLUMN = '__count';

// A page's size is written into its statement (up to this size; past it, rare, it is a value):
// PostgreSQL plans a LIMIT value it cannot see as a tenth of the rows, a hash join over the whole
// table instead of a few index steps, so it can plan a page once for every offset (./index.ts)
// only when it knows the size.
const LITERAL_LIMIT_MAX = 1000;
/** Adds a page's values after its condition's: the size when it is not written in, then the offset. Returns the shape key's part. */
function pushLimit(values: unknown[], limit: number, offset: number): string {
  if (limit <= LITERAL_LIMIT_MAX) {
    values.push(offset);
    return `L${limit}`;
  }
  values.push(limit, offset);
  return 'L?';
}
/** `relations` and those an ordering reads through (`owner.username`): joined where a page is sorted. */
const withOrderRelations = (relations: Iterable<string>, orderBy: readonly Ordering[]) =>
  new Set([...relations, ...orderBy.flatMap(({ field }) => relationOf(field) ?? [])]);
/** The LIMIT of a page's SQL, as pushLimit has put it. */
const pageSize = (limit: number, slots: Slots) => (limit <= LITERAL_LIMIT_MAX ? sql.lit(limit) : slots.take());

/** What the SQL needs of a table; ./definitions.ts checks each name against the schema. */
export interface TableDefinition {
  table: string;
  /** The columns read for each row. */
  columns: readonly string[];
  /** To-one relations conditions may follow (`what.name`): name → the related table and our foreign key column. */
  relations?: Record<string, { table: string; column: string }>;
  /** Related columns read with each row: alias → `relation.column` (joined in the same statement). */
  joined?: Record<string, string>;
  /** Columns set to the current time on insert, and on every update (Prisma's @default(now()), @updatedAt). */
  now?: { insert?: readonly string[]; update?: readonly string[] };
  /** SQLite: an FTS5 trigram table over these columns (external content, kept in sync by triggers). */
  searchIndex?: { table: string; columns: readonly string[] };
  /** PostgreSQL: column → its stored UPPER(column) copy in the row (a generated column, trigram-indexed), which searches compare. */
  upperCopies?: Readonly<Record<string, string | undefined>>;
  /** PostgreSQL: column → the narrow table (id, value) of its UPPER(column) copies, trigram-indexed and kept by triggers, which searches compare. */
  upperCopyTables?: Readonly<Record<string, string | undefined>>;
  /** Unfiltered counts are read from row_counts, which the table's triggers keep exact (a migration adds them). */
  rowCounts?: boolean;
  /** Column lists an index keeps the rows in (read either way): a search's page in such an order is sought by walking it. */
  orderIndexes?: readonly (readonly string[])[];
}

/** What the tables of one database share: which database, and how statements run. */
export interface TableEnvironment {
  provider: Provider;
  statements: Statements;
}

export function sqlTable(env: TableEnvironment, definition: TableDefinition): Table<Row> {
  const { provider, statements } = env;
  const { table, columns, relations = {}, joined = {}, searchIndex, upperCopies = {}, upperCopyTables = {}, orderIndexes = [] } = definition;
  const updateNow = definition.now?.update ?? [];
  // An insert also sets the update-time columns; a column named in both is set once.
  const insertNow = [...new Set([...(definition.now?.insert ?? []), ...updateNow])];
  const representationRelations = new Set(Object.values(joined).map((path) => relationOf(path)!));
  const from = sql`${sql.table(table)} AS t`;
  const selection = sql.join([
    ...columns.map((column) => sql.ref(`t.${column}`)),
    ...Object.entries(joined).map(([alias, path]) => sql`${ref(path)} AS ${sql.id(alias)}`),
  ]);
  const tableSql: TableSql = { provider, statements, table, relations, searchIndex, upperCopies, upperCopyTables, from, selection, representationRelations, orderIndexes };

  function translate(error: unknown, onForeignKey: () => Error): never {
    if (isUniqueViolation(error)) throw new UniqueViolation((error as Error).message);
    if (isForeignKeyViolation(error)) throw onForeignKey();
    throw error;
  }

  // Kept exact by the triggers of the row_counts migrations, in the writing transaction, whoever
  // writes. PostgreSQL's are slots that concurrent writers add to apart (…_row_count_slots), so
  // the count is their sum; SQLite, whose writers take turns, has one row per table.
  const rowCount = sql`SELECT SUM(n) AS n FROM row_counts WHERE table_name = ${sql.lit(table)}`;
  async function countAll(): Promise<number> {
    const rows = await statements.run(`${table}:rowcount`, [], () => rowCount);
    return Number(rows[0]!.n);
  }

  /**
   * A condition's shape key and values (collect), where its searches of copy-table columns
   * (PostgreSQL) select their rows as one array of ids (whereSql).
   */
  function collectWhere(where: Condition, values: unknown[], used: Set<string>, split: Split): string {
    if (split === undefined) return collect(tableSql, where, values, used);
    const searchesKey = pushCopiedSearches(tableSql, split.searches, values);
    return `${searchesKey}&${collect(tableSql, { op: 'and', conditions: split.rest }, values, used)}`;
  }
  /**
   * collectWhere's condition in SQL. The array's ids are looked up in the primary key in order,
   * the table's rows read in about the order they lie in; a join would make a set of the ids
   * first and read the rows in its order.
   */
  function whereSql(where: Condition, slots: Slots): RawBuilder<unknown> {
    const split = splitSearches(tableSql, where);
    if (split === undefined) return toSql(tableSql, where, slots);
    const ids = copiedIdsSql(tableSql, split.searches, slots);
    return sql`t.id = ANY(ARRAY(${ids})) AND ${toSql(tableSql, { op: 'and', conditions: split.rest }, slots)}`;
  }
  /** The count (as `name`) of a condition of copy-table searches only, from the copy tables alone. */
  const copiedCountSql = (searches: readonly Search[], slots: Slots, name: string) =>
    sql`SELECT COUNT(*) AS ${sql.id(name)} FROM (${copiedIdsSql(tableSql, searches, slots)}) AS m`;

  const joins = (names: Iterable<string>) => sql.join(joinsFor(tableSql, names), sql``);
  const countsFromRowCounts = (where: Condition) => definition.rowCounts === true && where.op === 'and' && where.conditions.length === 0;

  async function count(where: Condition): Promise<number> {
    if (countsFromRowCounts(where)) return countAll();
    const terms = indexOnlyTerms(tableSql, where);
    if (terms !== undefined) return matchCount(tableSql, where, terms);
    const values: unknown[] = [];
    const split = splitSearches(tableSql, where);
    const searches = searchesOnly(split);
    if (searches !== undefined) {
      const key = pushCopiedSearches(tableSql, searches, values);
      const rows = await statements.run(`${table}:count:${key}`, values, (slots) => copiedCountSql(searches, slots, 'count'));
      return Number(rows[0]!.count);
    }
    const used = new Set<string>();
    const key = collectWhere(where, values, used, split);
    const rows = await statements.run(`${table}:count:${key}`, values, (slots) => sql`SELECT COUNT(*) AS count FROM ${from}${joins(used)} WHERE ${whereSql(where, slots)}`);
    return Number(rows[0]!.count);
  }

  /**
   * One page's SQL: the page's ids found first, in a subquery the ordering index answers alone,
   * then joined for the full rows (a deep page costs index steps, not full rows skipped).
   * Takes the slots of the values pushLimit adds.
   */
  function pageSql(condition: RawBuilder<unknown>, orderBy: readonly Ordering[], used: Set<string>, slots: Slots, limit: number, extraColumns = sql``) {
    const ids = sql`SELECT t.id FROM ${from}${joins(withOrderRelations(used, orderBy))} WHERE ${condition} ORDER BY ${orderSql(orderBy)} LIMIT ${pageSize(limit, slots)} OFFSET ${slots.take()}`;
    return pageRows(ids, orderBy, extraColumns);
  }

  /**
   * PostgreSQL, a search's page and count: the matches read once (a MATERIALIZED CTE of their
   * ids and ordering keys), counted, and the page taken from them. The statement is planned once
   * for every term (./index.ts), and this plan costs what the count does, whatever the term
   * matches; walking the ordering index and testing each row, quick for a frequent term, would
   * read the whole index for a rare one.
   */
  function matchesPageSql(condition: RawBuilder<unknown>, orderBy: readonly Ordering[], used: Set<string>, slots: Slots, limit: number) {
    const key = (i: number) => sql.ref(`o${i}`);
    const keys = orderBy.map((o, i) => sql`, ${ref(o.field)} AS ${key(i)}`);
    const matches = sql`SELECT t.id${sql.join(keys, sql``)} FROM ${from}${joins(withOrderRelations(used, orderBy))} WHERE ${condition}`;
    const ids = sql`SELECT id FROM matches ORDER BY ${orderSql(orderBy, (_, i) => key(i))} LIMIT ${pageSize(limit, slots)} OFFSET ${slots.take()}`;
    return sql`WITH matches AS MATERIALIZED (${matches}) ${pageRows(ids, orderBy, sql`, (SELECT COUNT(*) FROM matches) AS ${sql.id(COUNT_COLUMN)}`)}`;
  }

  /** The full rows of a page whose ids `ids` selects, in order, related columns joined. */
  function pageRows(ids: RawBuilder<unknown>, orderBy: readonly Ordering[], extraColumns: RawBuilder<unknown>) {
    // CROSS JOIN keeps the page as SQLite's outer loop: with a plain JOIN its planner may walk
    // the whole ordering index instead, probing the page for each row (14 ms at 10k rows).
    const rows = sql`${from}${joins(withOrderRelations(representationRelations, orderBy))}`;
    return sql`SELECT ${selection}${extraColumns} FROM (${ids}) AS page CROSS JOIN ${rows} WHERE t.id = page.id ORDER BY ${orderSql(orderBy)}`;
  }

  /**
   * PostgreSQL, a condition of searches only (searchesOnly): its page sought among the first
   * WALK_ROWS rows in the list's order (the ordering index walked, each row's own values tested:
   * a frequent term fills its page in a few hundred rows), its count from the copies alone,
   * in one statement. Undefined when those rows hold less than a full page: the caller reads the
   * matches instead (matchesPageSql). Other conditions (a search within one owner's rows) are
   * not walked: the whole table's order would hold few of their rows.
   */
  async function walkedSearchPage(where: Condition, split: Split, orderBy: readonly Ordering[], offset: number, limit: number): Promise<{ count: number; rows: Row[] } | undefined> {
    const searches = searchesOnly(split);
    if (searches === undefined || offset + limit > WALK_ROWS || !indexedOrder(tableSql, orderBy)) return undefined;
    const values: unknown[] = [];
    const whereKey = collect(tableSql, where, values, new Set(), false);
    const limitKey = pushLimit(values, limit, offset);
    const countKey = pushCopiedSearches(tableSql, searches, values);
    values.push(offset + limit);
    const rows = await statements.run(`${table}:walk:${whereKey}:${orderKey(orderBy)}:${limitKey}:${countKey}`, values, (slots) => {
      const condition = toSql(tableSql, where, slots, false);
      const size = pageSize(limit, slots);
      const skipped = slots.take();
      const total = copiedCountSql(searches, slots, 'n');
      // Fewer matches than the page needs (a rare term): not walked, no row read.
      const enough = sql`(SELECT n FROM total) >= ${slots.take()}`;
      const walked = sql`SELECT * FROM ${from} ORDER BY ${orderSql(orderBy)} LIMIT ${sql.lit(WALK_ROWS)}`;
      const ids = sql`SELECT t.id FROM (${walked}) AS t WHERE ${enough} AND ${condition} ORDER BY ${orderSql(orderBy)} LIMIT ${size} OFFSET ${skipped}`;
      return sql`WITH total AS MATERIALIZED (${total}) ${pageRows(ids, orderBy, sql`, (SELECT n FROM total) AS ${sql.id(COUNT_COLUMN)}`)}`;
    });
    if (rows.length < limit) return undefined;
    return withCount(rows);
  }

  /** A page whose rows carry their count: both, the column removed. */
  function withCount(rows: Row[]) {
    const total = Number(rows[0]![COUNT_COLUMN]);
    for (const row of rows) delete row[COUNT_COLUMN];
    return { count: total, rows };
  }

  async function list(where: Condition, orderBy: readonly Ordering[], offset: number, limit: number): Promise<Row[]> {
    const walked = await walkedPage(tableSql, where, orderBy, offset, limit);
    if (walked !== undefined) return walked;
    const values: unknown[] = [];
    const used = new Set<string>();
    const key = `${table}:list:${collectWhere(where, values, used, splitSearches(tableSql, where))}:${orderKey(orderBy)}`;
    const limitKey = pushLimit(values, limit, offset);
    return statements.run(`${key}:${limitKey}`, values, (slots) => pageSql(whereSql(where, slots), orderBy, used, slots, limit));
  }

  async function find(where: Condition): Promise<Row | null> {
    const values: unknown[] = [];
    const used = new Set<string>();
    const key = collect(tableSql, where, values, used);
    for (const name of representationRelations) used.add(name);
    const rows = await statements.run(`${table}:find:${key}`, values, (slots) => {
      const condition = toSql(tableSql, where, slots);
      return sql`SELECT ${selection} FROM ${from}${sql.join(joinsFor(tableSql, used), sql``)} WHERE ${condition} LIMIT 1`;
    });
    return rows[0] ?? null;
  }
  const byId = (id: number) => find({ op: 'eq', field: 'id', value: id });
  // Without related columns a write returns the row itself: one statement. With them, PostgreSQL
  // reads the written row back joined in the same statement (a data-modifying CTE); SQLite, which
  // has none, reads it back after (in-process: no round trip).
  const readBackApart = Object.keys(joined).length > 0 && provider === 'sqlite';
  const returningRow = (write: RawBuilder<unknown>) => {
    if (Object.keys(joined).length === 0) return sql`${write} RETURNING ${sql.join(columns.map((c) => sql.id(c)))}`;
    if (readBackApart) return sql`${write} RETURNING id`;
    return sql`WITH t AS (${write} RETURNING *) SELECT ${selection} FROM t${joins(representationRelations)}`;
  };
  async function written(rows: Row[]): Promise<Row> {
    if (rows.length === 0) throw new RowGone();
    if (!readBackApart) return rows[0]!;
    const row = await byId(Number(rows[0]!.id));
    if (row === null) throw new RowGone();
    return row;
  }

  return {
    count,

    async page(where, orderBy, offset, limit) {
      // SQLite counts a condition apart, in-process, with plans of its own (./search.ts).
      if (provider === 'sqlite' && !countsFromRowCounts(where)) {
        const [total, rows] = await Promise.all([count(where), list(where, orderBy, offset, limit)]);
        return { count: total, rows };
      }
      // PostgreSQL: a search's split (./search.ts) found once, for the walk and the page alike.
      // Not awaited unless there is a search to walk: a list without one pays no promise.
      const split = splitSearches(tableSql, where);
      if (split !== undefined) {
        const walked = await walkedSearchPage(where, split, orderBy, offset, limit);
        if (walked !== undefined) return walked;
      }
      // Otherwise the count rides on the page's rows: one statement (on PostgreSQL one round trip
      // and one snapshot) for both. A page past the end has no row to carry it, and is counted apart.
      const values: unknown[] = [];
      const used = new Set<string>();
      const whereKey = collectWhere(where, values, used, split);
      const limitKey = pushLimit(values, limit, offset);
      const rows = await statements.run(`${table}:page:${whereKey}:${orderKey(orderBy)}:${limitKey}`, values, (slots) => {
        // One condition, its values bound once, in every place it is used.
        const condition = whereSql(where, slots);
        if (hasSearch(where)) return matchesPageSql(condition, orderBy, used, slots, limit);
        const total = countsFromRowCounts(where)
          ? rowCount
          : sql`SELECT COUNT(*) FROM ${from}${joins(used)} WHERE ${condition}`;
        return pageSql(condition, orderBy, used, slots, limit, sql`, (${total}) AS ${sql.id(COUNT_COLUMN)}`);
      });
      if (rows.length === 0) return { count: await count(where), rows };
      return withCount(rows);
    },

    find,

    async create(input) {
      const now = new Date();
      const entries = [...Object.entries(input), ...insertNow.filter((c) => !(c in input)).map((c) => [c, now] as const)];
      const names = entries.map(([name]) => name);
      let rows: Row[];
      try {
        rows = await statements.run(`${table}:insert:${names.join(',')}`, entries.map(([, value]) => value), (slots) =>
          returningRow(sql`INSERT INTO ${sql.table(table)} (${sql.join(names.map((n) => sql.id(n)))}) VALUES (${sql.join(names.map(() => slots.take()))})`),
        );
      } catch (error) {
        translate(error, () => new MissingReference());
      }
      return written(rows);
    },

    async update(id, input) {
      const now = new Date();
      const entries = [...Object.entries(input), ...updateNow.filter((c) => !(c in input)).map((c) => [c, now] as const)];
      if (entries.length === 0) {
        const row = await byId(id);
        if (row === null) throw new RowGone();
        return row;
      }
      const names = entries.map(([name]) => name);
      let rows: Row[];
      try {
        rows = await statements.run(`${table}:update:${names.join(',')}`, [...entries.map(([, value]) => value), id], (slots) => {
          const set = sql.join(names.map((n) => sql`${sql.id(n)} = ${slots.take()}`));
          return returningRow(sql`UPDATE ${sql.table(table)} SET ${set} WHERE id = ${slots.take()}`);
        });
      } catch (error) {
        translate(error, () => new MissingReference());
      }
      return written(rows);
    },

    async delete(id) {
      const rows = await statements.run(`${table}:delete`, [id], (slots) => sql`DELETE FROM ${sql.table(table)} WHERE id = ${slots.take()} RETURNING id`);
      if (rows.length === 0) throw new RowGone();
    },
  };
}
