// SQLite's faster plans for a search (./tables.ts falls back to the general count and page when
// these do not apply): a count of printable-ASCII terms from the FTS5 trigram index alone
// (matchCount), and a page sought by walking the ordering index (walkedPage). Both avoid reading
// every match, where there are many.
import { sql, type RawBuilder } from 'kysely';
import type { Condition, Ordering } from '../rest/data/index.js';
import type { Row } from './drivers.js';
import { collect, ftsPhrase, joinsFor, orderKey, orderSql, ref, someCondition, toSql, usesIndex, type TableSql } from './clauses.js';

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
  if (provider !== 'sqlite' || offset + limit > WALK_ROWS || !searchesIndex(tableSql, where) || orderBy.some((o) => o.field.includes('.'))) return undefined;
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
