// Faster plans for a search (./tables.ts falls back to the general count and page when these do
// not apply). SQLite: a count of printable-ASCII terms from the FTS5 trigram index alone
// (matchCount), and a page sought by walking the ordering index (walkedPage). PostgreSQL: a
// search's rows found in the narrow copy tables alone, and so counted (copiedIdsSql); its walked
// page is in ./tables.ts.
// Both avoid reading every match of the searched table, where there are many.
import { sql, type RawBuilder } from 'kysely';
import type { Condition, Ordering } from '../rest/data/index.js';
import type { Row } from './drivers.js';
import { collect, containsPattern, copyOf, foldedLike, foldedPattern, ftsPhrase, hasSearch, indexedOrder, joinsFor, orderKey, orderSql, ref, shortOnPostgres, someCondition, toSql, usesIndex, type Copy, type TableSql } from './clauses.js';
import type { Slots } from './statements.js';

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
export const WALK_ROWS = 5000;

/**
 * The terms of a condition that is nothing but searches the trigram index answers exactly
 * (ANDed icontains over all its columns, printable ASCII terms: see FOLDED_TO_ASCII), or undefined.
 */
export function indexOnlyTerms(tableSql: TableSql, where: Condition): string[] | undefined {
  const { provider, searchIndex } = tableSql;
  if (provider !== 'sqlite' || searchIndex === undefined) return undefined;
  const terms: string[] = [];
  const visit = (condition: Condition): boolean => {
    if (condition.op === 'and') return condition.conditions.every(visit);
    if (condition.op !== 'icontains' || !usesIndex(tableSql, condition) || !printableAscii(condition.term)) return false;
    if (!searchIndex.columns.every((column) => condition.fields.includes(column))) return false;
    terms.push(condition.term);
    return true;
  };
  return visit(where) && terms.length > 0 ? terms : undefined;
}

/** Whether a condition searches with the trigram index somewhere. */
const searchesIndex = (tableSql: TableSql, where: Condition) => someCondition(where, searchUsesIndex, tableSql);
const searchUsesIndex = (condition: Condition, tableSql: TableSql) => condition.op === 'icontains' && usesIndex(tableSql, condition);

/**
 * SQLite: a search's page sought among the first WALK_ROWS rows in the list's order, tested by
 * the scan's LIKE (the ordering index walked, no sort of all matches). Undefined when those rows
 * hold fewer than a full page of matches: the page may lie further on, and the caller takes it
 * from the trigram index instead.
 */
export async function walkedPage(tableSql: TableSql, where: Condition, orderBy: readonly Ordering[], offset: number, limit: number): Promise<Row[] | undefined> {
  const { provider, statements, table, from, selection } = tableSql;
  if (provider !== 'sqlite' || offset + limit > WALK_ROWS || !searchesIndex(tableSql, where) || !indexedOrder(tableSql, orderBy)) return undefined;
  const values: unknown[] = [];
  const used = new Set(tableSql.representationRelations);
  const key = `${table}:walk:${collect(tableSql, where, values, used, false)}:${orderKey(orderBy)}`;
  values.push(limit, offset);
  const rows = await statements.run(key, values, (slots) => {
    const condition = toSql(tableSql, where, slots, false);
    const order = orderSql(orderBy);
    const walked = sql`SELECT * FROM ${from} ORDER BY ${order} LIMIT ${sql.lit(WALK_ROWS)}`;
    return sql`SELECT ${selection} FROM (${walked}) AS t${sql.join(joinsFor(tableSql, used, sql`CROSS JOIN`), sql``)} WHERE ${condition} ORDER BY ${order} LIMIT ${slots.take()} OFFSET ${slots.take()}`;
  });
  return rows.length === limit ? rows : undefined;
}

/** The count of a search that indexOnlyTerms accepts: the index's, less the folded rows LIKE rejects. */
export async function matchCount(tableSql: TableSql, where: Condition, terms: string[]): Promise<number> {
  const { statements, table, from } = tableSql;
  const searchIndex = tableSql.searchIndex!;
  const match = terms.map(ftsPhrase).join(' AND ');
  const values: unknown[] = [match, match];
  const key = `${table}:matchcount:${collect(tableSql, where, values, new Set(), false)}`;
  const rows = await statements.run(key, values, (slots) => {
    const fts = sql.table(searchIndex.table);
    const matching = (what: RawBuilder<unknown>, slot: RawBuilder<unknown>) => sql`SELECT ${what} FROM ${fts} WHERE ${fts} MATCH ${slot}`;
    const foldedRows = sql.join(
      searchIndex.columns.flatMap((column) => FOLDED_TO_ASCII.map((char) => sql`instr(${ref(column)}, ${sql.raw(char)}) > 0`)),
      sql` OR `,
    );
    const indexCount = matching(sql`COUNT(*)`, slots.take());
    const foldedIndex = sql.id(`${searchIndex.table}_folded_idx`);
    // `+t.id`: the folded rows (usually none) are the loop, not the index's matches.
    const extraCount = sql`SELECT COUNT(*) FROM ${from} INDEXED BY ${foldedIndex} WHERE (${foldedRows}) AND +t.id IN (${matching(sql`rowid`, slots.take())}) AND NOT ${toSql(tableSql, where, slots, false)}`;
    return sql`SELECT (${indexCount}) - (${extraCount}) AS count`;
  });
  return Number(rows[0]!.count);
}

/** One icontains: its term, in any of these columns. */
export type Search = Extract<Condition, { op: 'icontains' }>;
/** A condition's searches of copied columns apart from the rest of it (splitSearches), or undefined when it has none. */
export type Split = { searches: Search[]; rest: Condition[] } | undefined;

/** A search whose columns all have copies, one at least in a copy table. */
const isCopiedSearch = (tableSql: TableSql, condition: Condition): condition is Search =>
  condition.op === 'icontains' &&
  condition.fields.every((field) => copyOf(tableSql, field) !== undefined) &&
  condition.fields.some((field) => tableSql.upperCopyTables[field] !== undefined);

/**
 * PostgreSQL: a condition's searches of copied columns (isCopiedSearch), ANDed at its top
 * (through nested ANDs), apart from the rest of it (undefined when it has none). Those searches
 * find their rows' ids from the copies alone (copiedIdsSql; a copy table holds one row per row
 * of the table, written in the same transaction): one array of ids for all of them, where a
 * join per search would make each a set of ids to build. A table whose copies are all in its
 * rows (the transactions) has none: its searches test the rows its other conditions find.
 */
export function splitSearches(tableSql: TableSql, where: Condition): Split {
  if (tableSql.provider !== 'postgresql' || !hasSearch(where)) return undefined;
  const conditions: Condition[] = [];
  const flatten = (condition: Condition) => (condition.op === 'and' ? condition.conditions.forEach(flatten) : conditions.push(condition));
  flatten(where);
  const searches = conditions.filter((condition) => isCopiedSearch(tableSql, condition));
  if (searches.length === 0) return undefined;
  return { searches, rest: conditions.filter((condition) => !isCopiedSearch(tableSql, condition)) };
}

/** The searches of a split condition that is nothing but searches, or undefined. */
export const searchesOnly = (split: Split): Search[] | undefined => (split !== undefined && split.rest.length === 0 ? split.searches : undefined);

/**
 * The search whose matches copiedIdsSql reads, the others tested on each of them: the longest
 * term (more trigrams, as a rule fewer candidates), the first of equals.
 */
function leadingSearch(searches: readonly Search[]): number {
  let lead = 0;
  for (let i = 1; i < searches.length; i++) if (searches[i]!.term.length > searches[lead]!.term.length) lead = i;
  return lead;
}

/** Adds the values copiedIdsSql takes; returns the shape key's part. */
export function pushCopiedSearches(tableSql: TableSql, searches: readonly Search[], values: unknown[]): string {
  for (const search of searches) values.push(containsPattern(search.term));
  const shapes = searches.map((search) => `${search.fields.join(',')}${shortOnPostgres(tableSql, search.term) ? 's' : ''}`);
  return `copies(${shapes.join(';')}:${leadingSearch(searches)})`;
}

/**
 * The ids of the rows that match every search, from the copies alone, each once: the leading
 * search's matches in each column (copy tables first), each also matching every other search. A term of
 * 3+ characters takes each column's matches that no earlier column matched (NOT IN: the earlier
 * column's matches made a hash once, on the first match of this one), so no set of all ids is
 * made unique (53,000 ids cost ~17 ms at 1,000,000 posts); a shorter term, whose columns are
 * read whole anyway, makes them unique (UNION), which leaves each read free to run in parallel.
 * Another search is tested on the match's own row, then on its other tables' by id (probes
 * of their primary keys): OFFSET 0 keeps each EXISTS such a probe (PostgreSQL does not make it a
 * join), where a join would read all of that column's matches for the term.
 */
export function copiedIdsSql(tableSql: TableSql, searches: readonly Search[], slots: Slots): RawBuilder<unknown> {
  const matchers = searches.map((search) => {
    const folded = foldedPattern(slots.take());
    const short = shortOnPostgres(tableSql, search.term);
    // Copy tables first: narrow, their matches are the cheap ones to read.
    const copies = [...new Map(search.fields.map((field) => copyOf(tableSql, field)!).map((copy) => [`${copy.table}.${copy.column}`, copy])).values()];
    copies.sort((a, b) => Number(a.table === tableSql.table) - Number(b.table === tableSql.table));
    const matches = (alias: string, { column }: Copy) => foldedLike(sql.ref(`${alias}.${column}`), folded, short);
    return { short, copies, matches };
  });
  const lead = leadingSearch(searches);
  const { short, copies, matches } = matchers[lead]!;
  const others = matchers.filter((_, i) => i !== lead);
  const parts = copies.map((copy, k) => {
    const unmatchedBefore = short ? [] : copies.slice(0, k).map((earlier) => sql`m.id NOT IN (SELECT e.id FROM ${sql.table(earlier.table)} AS e WHERE ${matches('e', earlier)})`);
    const otherSearches = others.map((other) => {
      const probed = other.copies
        .filter((c) => c.table !== copy.table)
        .map((c) => sql`EXISTS (SELECT FROM ${sql.table(c.table)} AS e WHERE e.id = m.id AND ${other.matches('e', c)} OFFSET 0)`);
      const own = other.copies.filter((c) => c.table === copy.table).map((c) => other.matches('m', c));
      return sql`(${sql.join([...own, ...probed], sql` OR `)})`;
    });
    return sql`SELECT m.id FROM ${sql.table(copy.table)} AS m WHERE ${sql.join([matches('m', copy), ...unmatchedBefore, ...otherSearches], sql` AND `)}`;
  });
  return sql.join(parts, short ? sql` UNION ` : sql` UNION ALL `);
}
