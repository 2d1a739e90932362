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
// - search: the predicate is Django's icontains on each database: LIKE (ASCII case folding) on
//   SQLite, UPPER(column) LIKE UPPER(pattern) on PostgreSQL (not ILIKE, which folds by lower()
//   and so differs on ς/σ or ſ/s). Terms of 3+ characters find candidates with the trigram
//   index (SQLite FTS5; PostgreSQL's pg_trgm GIN indexes on UPPER(column) serve that LIKE
//   itself), rechecked by the same LIKE as a scan, so the answer is exactly icontains'. SQLite counts a search of printable-ASCII
//   terms in the index alone (matchCount), and first seeks a search's page by walking the
//   ordering index (walkedPage): no read of every match, where there are many.
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

// FTS5's trigram tokenizer folds case by Unicode, LIKE only A-Z. For a term of printable ASCII
// the two differ only on text holding U+017F (long s, folded to s) or U+212A (Kelvin sign,
// folded to k); tests/db/search.test.ts checks every code point. Such a term's count is the
// index's, less the few rows holding those characters (a partial index lists them, see the
// migration …_search_index_tuning) that MATCH finds and LIKE does not: no other row is read.
const printableAscii = (term: string) => /^[\x20-\x7e]*$/.test(term);
const FOLDED_TO_ASCII = ['char(383)', 'char(8490)'];
// A search's page is first sought among this many rows in the list's order (the ordering index
// walked, each row tested by LIKE): a frequent term fills its page there at once, where taking
// all its matches from the trigram index and sorting them costs a read of each match.
const WALK_ROWS = 5000;

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

  const usesIndex = (condition: { fields: readonly string[]; term: string }) => indexed(condition.fields) && codePoints(condition.term) >= TRIGRAM;

  /**
   * The shape key and the values of a condition, in the order toSql takes its slots. Without
   * `index`, searches scan (LIKE alone) even where the trigram index could serve them.
   */
  function collect(condition: Condition, values: unknown[], used: Set<string>, index = true): string {
    switch (condition.op) {
      case 'and':
      case 'or':
        return `${condition.op}(${condition.conditions.map((c) => collect(c, values, used, index)).join(',')})`;
      case 'not':
        return `not(${collect(condition.condition, values, used, index)})`;
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
        const useIndex = index && usesIndex(condition);
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
  function toSql(condition: Condition, slots: Slots, index = true): RawBuilder<unknown> {
    switch (condition.op) {
      case 'and':
      case 'or': {
        if (condition.conditions.length === 0) return condition.op === 'and' ? sql`1 = 1` : sql`1 = 0`;
        const parts = condition.conditions.map((c) => toSql(c, slots, index));
        return sql`(${sql.join(parts, condition.op === 'and' ? sql` AND ` : sql` OR `)})`;
      }
      case 'not':
        return sql`NOT ${toSql(condition.condition, slots, index)}`;
      case 'in':
        if (condition.values.length === 0) return sql`1 = 0`;
        return sql`${ref(condition.field)} IN (${sql.join(condition.values.map(() => slots.take()))})`;
      case 'isNull':
        return sql`${ref(condition.field)} IS NULL`;
      case 'icontains': {
        const pattern = slots.take();
        const like = condition.fields.map((field) =>
          provider === 'sqlite' ? sql`${ref(field)} LIKE ${pattern} ESCAPE '\\'` : sql`UPPER(${ref(field)}) LIKE UPPER(${pattern})`,
        );
        const scan = sql`(${sql.join(like, sql` OR `)})`;
        if (!(index && usesIndex(condition))) return scan;
        const fts = sql.table(searchIndex!.table);
        return sql`(t.id IN (SELECT rowid FROM ${fts} WHERE ${fts} MATCH ${slots.take()}) AND ${scan})`;
      }
      default:
        return sql`${ref(condition.field)} ${sql.raw(comparison[condition.op])} ${slots.take()}`;
    }
  }

  // `CROSS JOIN` (SQLite) keeps the table before it as the outer loop.
  const joinsFor = (names: Iterable<string>, join = sql`JOIN`) =>
    [...names].map((name) => {
      const relation = relations[name];
      if (!relation) throw new Error(`${table} has no relation ${name}`);
      return sql` ${join} ${sql.table(relation.table)} AS ${sql.id(`r_${name}`)} ON ${sql.ref(`r_${name}.id`)} = ${sql.ref(`t.${relation.column}`)}`;
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

  /**
   * The terms of a condition that is nothing but searches the trigram index answers exactly
   * (ANDed icontains over all its columns, printable ASCII terms: see FOLDED_TO_ASCII), or undefined.
   */
  function indexOnlyTerms(where: Condition): string[] | undefined {
    if (provider !== 'sqlite' || searchIndex === undefined) return undefined;
    const terms: string[] = [];
    const visit = (condition: Condition): boolean => {
      if (condition.op === 'and') return condition.conditions.every(visit);
      if (condition.op !== 'icontains' || !usesIndex(condition) || !printableAscii(condition.term)) return false;
      if (!searchIndex.columns.every((column) => condition.fields.includes(column))) return false;
      terms.push(condition.term);
      return true;
    };
    return visit(where) && terms.length > 0 ? terms : undefined;
  }

  /** Whether a condition searches with the trigram index somewhere. */
  const searchesIndex = (condition: Condition): boolean => {
    switch (condition.op) {
      case 'and':
      case 'or':
        return condition.conditions.some(searchesIndex);
      case 'not':
        return searchesIndex(condition.condition);
      case 'icontains':
        return usesIndex(condition);
      default:
        return false;
    }
  };

  /**
   * SQLite: a search's page sought among the first WALK_ROWS rows in the list's order, tested by
   * the scan's LIKE (the ordering index walked, no sort of all matches). Undefined when those rows
   * hold fewer than a full page of matches: the page may lie further on, and the caller takes it
   * from the trigram index instead.
   */
  async function walkedPage(where: Condition, orderBy: readonly Ordering[], offset: number, limit: number): Promise<Row[] | undefined> {
    if (provider !== 'sqlite' || offset + limit > WALK_ROWS || !searchesIndex(where) || orderBy.some((o) => o.field.includes('.'))) return undefined;
    const values: unknown[] = [];
    const used = new Set(representationRelations);
    const key = `${table}:walk:${collect(where, values, used, false)}:${orderKey(orderBy)}`;
    values.push(limit, offset);
    const rows = await statements.run(key, values, (slots) => {
      const condition = toSql(where, slots, false);
      const order = orderSql(orderBy);
      const walked = sql`SELECT * FROM ${from} ORDER BY ${order} LIMIT ${sql.lit(WALK_ROWS)}`;
      return sql`SELECT ${selection} FROM (${walked}) AS t${sql.join(joinsFor(used, sql`CROSS JOIN`), sql``)} WHERE ${condition} ORDER BY ${order} LIMIT ${slots.take()} OFFSET ${slots.take()}`;
    });
    return rows.length === limit ? rows : undefined;
  }

  /** The count of a search that indexOnlyTerms accepts: the index's, less the folded rows LIKE rejects. */
  async function matchCount(where: Condition, terms: string[]): Promise<number> {
    const match = terms.map(ftsPhrase).join(' AND ');
    const values: unknown[] = [match, match];
    const key = `${table}:matchcount:${collect(where, values, new Set(), false)}`;
    const rows = await statements.run(key, values, (slots) => {
      const fts = sql.table(searchIndex!.table);
      const matching = (what: RawBuilder<unknown>, slot: RawBuilder<unknown>) => sql`SELECT ${what} FROM ${fts} WHERE ${fts} MATCH ${slot}`;
      const foldedRows = sql.join(
        searchIndex!.columns.flatMap((column) => FOLDED_TO_ASCII.map((char) => sql`instr(${ref(column)}, ${sql.raw(char)}) > 0`)),
        sql` OR `,
      );
      const indexCount = matching(sql`COUNT(*)`, slots.take());
      const foldedIndex = sql.id(`${searchIndex!.table}_folded_idx`);
      // `+t.id`: the folded rows (usually none) are the loop, not the index's matches.
      const extraCount = sql`SELECT COUNT(*) FROM ${from} INDEXED BY ${foldedIndex} WHERE (${foldedRows}) AND +t.id IN (${matching(sql`rowid`, slots.take())}) AND NOT ${toSql(where, slots, false)}`;
      return sql`SELECT (${indexCount}) - (${extraCount}) AS count`;
    });
    return Number(rows[0]!.count);
  }

  return {
    async count(where) {
      if (definition.countCache && where.op === 'and' && where.conditions.length === 0) return countAll();
      const terms = indexOnlyTerms(where);
      if (terms !== undefined) return matchCount(where, terms);
      const values: unknown[] = [];
      const used = new Set<string>();
      const key = collect(where, values, used);
      return plainCount(where, values, key, used);
    },

    async list(where, orderBy, offset, limit) {
      const walked = await walkedPage(where, orderBy, offset, limit);
      if (walked !== undefined) return walked;
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
