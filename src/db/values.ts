// The value conventions of the query layer (see "Value conventions" in ./index.ts): how a
// JavaScript value is written to each database and how a column's value is read back, so
// that rows come back typed the same on SQLite and PostgreSQL.
import pg from 'pg';

/**
 * How Prisma's SQLite adapter writes a DateTime, kept byte for byte so databases written by
 * earlier versions keep sorting and comparing right: ISO 8601 in UTC with milliseconds and
 * `+00:00` (`2026-11-30T04:50:07.343+00:00`), a TEXT that sorts in time order.
 */
export const sqliteTimestamp = (date: Date): string => date.toISOString().replace('Z', '+00:00');

/** A stored SQLite DateTime; a zone-less `YYYY-MM-DD HH:MM:SS` (SQLite's CURRENT_TIMESTAMP) is UTC. */
export function parseSqliteTimestamp(text: string): Date {
  return new Date(text.length === 19 && text[10] === ' ' ? `${text.replace(' ', 'T')}Z` : text);
}

/** A parameter as better-sqlite3 binds it: DateTime as above, booleans as 0/1. */
export function sqliteParameter(value: unknown): unknown {
  if (value instanceof Date) return sqliteTimestamp(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

/**
 * A parameter for pg: a Date goes as its UTC ISO text. PostgreSQL's `timestamp(3)` (without
 * time zone, Prisma's DateTime) keeps the UTC wall clock, as Prisma's pg adapter stores it;
 * pg's own Date serialization would write the process's local time.
 */
export const postgresParameter = (value: unknown): unknown => (value instanceof Date ? value.toISOString() : value);

type Row = Record<string, unknown>;
/** Makes a row object from a statement's values, in its result columns' order. */
export type RowReader = (values: readonly unknown[]) => Row;

const sqliteReaders = {
  datetime: (v: unknown) => (typeof v === 'string' ? parseSqliteTimestamp(v) : v),
  boolean: (v: unknown) => (typeof v === 'number' ? v !== 0 : v),
  bigint: (v: unknown) => (typeof v === 'number' ? BigInt(v) : v),
};

// The declared column types Prisma's SQLite migrations use for DateTime, Boolean and BigInt.
const kinds: Record<string, keyof typeof sqliteReaders> = { DATETIME: 'datetime', BOOLEAN: 'boolean', BIGINT: 'bigint' };

/**
 * The reader of a statement's rows, made once per statement from its result columns' names and
 * declared types (which follow a column through aliases and joins): SQLite returns DateTimes as
 * text, booleans as 0/1 and BigInt columns as numbers. Null stays null. The statement returns
 * its values as arrays (better-sqlite3's raw mode): its own row objects cost a lookup of every
 * column's name, per row, that these names, made once, do not (S1: 27 → 21 µs a statement).
 * As there, a later column of the same name wins.
 */
export function sqliteRowReader(columns: readonly { name: string; type: string | null }[]): RowReader {
  const names = columns.map(({ name }) => name);
  const readers = columns.map(({ type }) => {
    const kind = type === null ? undefined : kinds[type.toUpperCase()];
    return kind && sqliteReaders[kind];
  });
  return (values) => {
    const row: Row = {};
    for (let i = 0; i < names.length; i++) {
      const value = values[i];
      const read = readers[i];
      row[names[i]!] = read === undefined || value === null ? value : read(value);
    }
    return row;
  };
}

const TIMESTAMP_OID = 1114;
const INT8_OID = 20;

/** `timestamp` (without time zone) holds UTC: `2026-11-30 04:50:07.343` → that instant. */
const parsePostgresTimestamp = (text: string) => new Date(`${text.replace(' ', 'T')}Z`);

/**
 * pg's type parsers for this pool: timestamps as UTC Dates, int8 (BigInt columns) as bigint.
 * Per pool, not pg's global table, so nothing else in the process is affected.
 */
export const postgresTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === TIMESTAMP_OID) return parsePostgresTimestamp;
    if (oid === INT8_OID) return (text: string) => BigInt(text);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;
