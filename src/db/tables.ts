// The toolkit's Table contract (src/rest/data.ts) in SQL. Each distinct query shape is
// compiled once (./statements.ts); a request only walks its conditions to collect the
// values and the shape key.
//
// What a request costs (statements):
// - list: COUNT(*) (plain, so SQLite counts from its smallest index; an unfiltered count
//   comes from an exact cache, see countAll) + one page query, its related fields joined.
//   The page's ids are found first in a subquery that the ordering index answers alone,
//   then joined for the full rows: a deep page costs index steps, not full rows skipped.
// - retrieve: one statement. create/update: one (RETURNING the row), or, for a table with
//   related columns, the write then the row read back joined.
// - search: terms of 3+ characters find candidates with the trigram index (SQLite FTS5;
//   PostgreSQL's pg_trgm GIN index serves ILIKE itself), rechecked by the same LIKE as a
//   scan, so the answer is exactly icontains'.
import { sql, type RawBuilder } from 'kysely';
import { all, MissingReference, RowGone, StillReferenced, UniqueViolation, type Condition, type Ordering, type Table } from '../rest/data/index.js';
import { isForeignKeyViolation, isUniqueViolation } from './errors.js';
import type { Provider } from './provider.js';
import type { Row } from './drivers.js';
import type { Slots, Statements } from './statements.js';

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
  /** Unfiltered counts come from an exact, invalidated cache (SQLite) or a trigger-kept counter (PostgreSQL). */
  countCache?: boolean;
}

/** What the tables of one database share: how statements run, and how fresh a cached count is. */
export interface TableEnvironment {
  provider: Provider;
  statements: Statements;
  /**
   * SQLite: a token that changes whenever any connection (this one included) may have
   * written (PRAGMA data_version + this connection's own writes).
   */
  freshness?: () => string;
}

// Trigram indexes find only terms of at least three characters.
const TRIGRAM = 3;
const codePoints = (text: string) => {
  let n = 0;
  for (const _ of text) n++;
  return n;
};

/** `%`, `_` and `\` matched literally: LIKE's escape character is a backslash on both databases. */
export const likeLiteral = (term: string) => term.replace(/[\\%_]/g, '\\$&');
/** An FTS5 phrase: the term as one quoted string (its own quotes doubled). */
const ftsPhrase = (term: string) => `"${term.replaceAll('"', '""')}"`;

export function sqlTable(env: TableEnvironment, definition: TableDefinition): Table<Row> {
  const { provider, statements } = env;
  const { table, columns, relations = {}, joined = {}, searchIndex } = definition;
  const insertNow = definition.now?.insert ?? [];
  const updateNow = definition.now?.update ?? [];
  const indexed = (fields: readonly string[]) =>
    provider === 'sqlite' && searchIndex !== undefined && fields.every((f) => searchIndex.columns.includes(f));

  const ref = (field: string) => {
    const dot = field.indexOf('.');
    return dot === -1 ? sql.ref(`t.${field}`) : sql.ref(`r_${field.slice(0, dot)}.${field.slice(dot + 1)}`);
  };
  const relationOf = (field: string) => (field.includes('.') ? field.slice(0, field.indexOf('.')) : undefined);

  /** The shape key and the values of a condition, in the order toSql takes its slots. */
  function collect(condition: Condition, values: unknown[], used: Set<string>): string {
    switch (condition.op) {
      case 'and':
      case 'or':
        return `${condition.op}(${condition.conditions.map((c) => collect(c, values, used)).join(',')})`;
      case 'not':
        return `not(${collect(condition.condition, values, used)})`;
      case 'in':
        noteRelation(condition.field, used);
        values.push(...condition.values);
        return `in(${condition.field},${condition.values.length})`;
      case 'isNull':
        noteRelation(condition.field, used);
        return `null(${condition.field})`;
      case 'icontains': {
        for (const field of condition.fields) noteRelation(field, used);
        values.push(`%${likeLiteral(condition.term)}%`);
        const useIndex = indexed(condition.fields) && codePoints(condition.term) >= TRIGRAM;
        if (useIndex) values.push(ftsPhrase(condition.term));
        return `ic(${condition.fields.join(',')},${useIndex ? 1 : 0})`;
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
  function toSql(condition: Condition, slots: Slots): RawBuilder<unknown> {
    switch (condition.op) {
      case 'and':
      case 'or': {
        if (condition.conditions.length === 0) return condition.op === 'and' ? sql`1 = 1` : sql`1 = 0`;
        const parts = condition.conditions.map((c) => toSql(c, slots));
        return sql`(${sql.join(parts, condition.op === 'and' ? sql` AND ` : sql` OR `)})`;
      }
      case 'not':
        return sql`NOT ${toSql(condition.condition, slots)}`;
      case 'in':
        if (condition.values.length === 0) return sql`1 = 0`;
        return sql`${ref(condition.field)} IN (${sql.join(condition.values.map(() => slots.take()))})`;
      case 'isNull':
        return sql`${ref(condition.field)} IS NULL`;
      case 'icontains': {
        const pattern = slots.take();
        const like = condition.fields.map((field) =>
          provider === 'sqlite' ? sql`${ref(field)} LIKE ${pattern} ESCAPE '\\'` : sql`${ref(field)} ILIKE ${pattern}`,
        );
        const scan = sql`(${sql.join(like, sql` OR `)})`;
        if (!(indexed(condition.fields) && codePoints(condition.term) >= TRIGRAM)) return scan;
        const fts = sql.table(searchIndex!.table);
        return sql`(t.id IN (SELECT rowid FROM ${fts} WHERE ${fts} MATCH ${slots.take()}) AND ${scan})`;
      }
      default:
        return sql`${ref(condition.field)} ${sql.raw(comparison[condition.op])} ${slots.take()}`;
    }
  }

  const joinsFor = (names: Iterable<string>) =>
    [...names].map((name) => {
      const relation = relations[name];
      if (!relation) throw new Error(`${table} has no relation ${name}`);
      return sql` JOIN ${sql.table(relation.table)} AS ${sql.id(`r_${name}`)} ON ${sql.ref(`r_${name}.id`)} = ${sql.ref(`t.${relation.column}`)}`;
    });
  const from = sql`${sql.table(table)} AS t`;
  const representationRelations = new Set(Object.values(joined).map((path) => relationOf(path)!));
  const selection = sql.join([
    ...columns.map((column) => sql.ref(`t.${column}`)),
    ...Object.entries(joined).map(([alias, path]) => sql`${ref(path)} AS ${sql.id(alias)}`),
  ]);
  const orderSql = (orderBy: readonly Ordering[]) =>
    sql.join(
      orderBy.map(({ field, descending, nullable }) => {
        const direction = sql.raw(descending ? 'DESC' : 'ASC');
        if (!nullable) return sql`${ref(field)} ${direction}`;
        return sql`${ref(field)} ${direction} ${sql.raw(descending ? 'NULLS FIRST' : 'NULLS LAST')}`;
      }),
    );
  const orderKey = (orderBy: readonly Ordering[]) => orderBy.map((o) => `${o.descending ? '-' : ''}${o.field}${o.nullable ? '?' : ''}`).join(',');

  function translate(error: unknown, onForeignKey: () => Error): never {
    if (isUniqueViolation(error)) throw new UniqueViolation((error as Error).message);
    if (isForeignKeyViolation(error)) throw onForeignKey();
    throw error;
  }

  let cachedCount: { freshness: string; count: number } | undefined;
  async function countAll(): Promise<number> {
    if (provider === 'postgresql') {
      // Kept exact by the triggers of the row_counts migration, in the writing transaction.
      const rows = await statements.run(`${table}:rowcount`, [table], (slots) => sql`SELECT n FROM row_counts WHERE table_name = ${slots.take()}`);
      return Number(rows[0]!.n);
    }
    const freshness = env.freshness!();
    if (cachedCount?.freshness === freshness) return cachedCount.count;
    const count = await plainCount(all, [], 'and()');
    cachedCount = { freshness, count };
    return count;
  }

  async function plainCount(where: Condition, values: unknown[], key: string, used = new Set<string>()): Promise<number> {
    const rows = await statements.run(`${table}:count:${key}`, values, (slots) => sql`SELECT COUNT(*) AS count FROM ${from}${sql.join(joinsFor(used), sql``)} WHERE ${toSql(where, slots)}`);
    return Number(rows[0]!.count);
  }

  async function find(where: Condition): Promise<Row | null> {
    const values: unknown[] = [];
    const used = new Set<string>();
    const key = collect(where, values, used);
    for (const name of representationRelations) used.add(name);
    const rows = await statements.run(`${table}:find:${key}`, values, (slots) => {
      const condition = toSql(where, slots);
      return sql`SELECT ${selection} FROM ${from}${sql.join(joinsFor(used), sql``)} WHERE ${condition} LIMIT 1`;
    });
    return rows[0] ?? null;
  }
  const byId = (id: number) => find({ op: 'eq', field: 'id', value: id });
  // Without related columns a write returns the row itself: one statement. With them, the
  // written row is read back joined.
  const returning = Object.keys(joined).length === 0 ? sql.join(columns.map((c) => sql.id(c))) : sql`id`;
  async function written(rows: Row[]): Promise<Row> {
    if (rows.length === 0) throw new RowGone();
    if (Object.keys(joined).length === 0) return rows[0]!;
    const row = await byId(Number(rows[0]!.id));
    if (row === null) throw new RowGone();
    return row;
  }

  return {
    async count(where) {
      if (definition.countCache && where.op === 'and' && where.conditions.length === 0) return countAll();
      const values: unknown[] = [];
      const used = new Set<string>();
      const key = collect(where, values, used);
      return plainCount(where, values, key, used);
    },

    async list(where, orderBy, offset, limit) {
      const values: unknown[] = [];
      const used = new Set<string>();
      const key = `${table}:list:${collect(where, values, used)}:${orderKey(orderBy)}`;
      values.push(limit, offset);
      return (await statements.run(key, values, (slots) => {
        const condition = toSql(where, slots);
        const order = orderSql(orderBy);
        const page = sql`SELECT t.id FROM ${from}${sql.join(joinsFor(used), sql``)} WHERE ${condition} ORDER BY ${order} LIMIT ${slots.take()} OFFSET ${slots.take()}`;
        // CROSS JOIN keeps the page as SQLite's outer loop: with a plain JOIN its planner may walk
        // the whole ordering index instead, probing the page for each row (14 ms at 10k rows).
        return sql`SELECT ${selection} FROM (${page}) AS page CROSS JOIN ${from}${sql.join(joinsFor(representationRelations), sql``)} WHERE t.id = page.id ORDER BY ${order}`;
      }));
    },

    find,

    async create(input) {
      const now = new Date();
      const entries = [...Object.entries(input), ...[...insertNow, ...updateNow].filter((c) => !(c in input)).map((c) => [c, now] as const)];
      const names = entries.map(([name]) => name);
      let rows: Row[];
      try {
        rows = await statements.run(`${table}:insert:${names.join(',')}`, entries.map(([, value]) => value), (slots) =>
          sql`INSERT INTO ${sql.table(table)} (${sql.join(names.map((n) => sql.id(n)))}) VALUES (${sql.join(names.map(() => slots.take()))}) RETURNING ${returning}`,
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
          return sql`UPDATE ${sql.table(table)} SET ${set} WHERE id = ${slots.take()} RETURNING ${returning}`;
        });
      } catch (error) {
        translate(error, () => new MissingReference());
      }
      return written(rows);
    },

    async delete(id) {
      let rows: Row[];
      try {
        rows = await statements.run(`${table}:delete`, [id], (slots) => sql`DELETE FROM ${sql.table(table)} WHERE id = ${slots.take()} RETURNING id`);
      } catch (error) {
        translate(error, () => new StillReferenced());
      }
      if (rows.length === 0) throw new RowGone();
    },
  };
}
