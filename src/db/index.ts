// Opens a database from a DATABASE_URL: SQLite (file:…) or PostgreSQL (postgresql://…).
// Every query of the server and the commands goes through Kysely (typed by
// src/generated/kysely, generated from schema.prisma by prisma-kysely) on better-sqlite3 or
// a pg Pool; the viewsets' queries through tables (./tables.ts), compiled once per shape.
// Prisma keeps the schema and writes the migrations; it runs no query.
//
// Value conventions (src/db/values.ts), so a row reads the same on both databases:
// - DateTime is a Date. SQLite stores it as Prisma's SQLite adapter always has, ISO 8601 UTC
//   text with milliseconds and `+00:00` (`2026-11-30T04:50:07.343+00:00`): existing databases
//   keep working, and the text sorts and compares in time order. PostgreSQL's `timestamp(3)`
//   holds the UTC wall clock (Prisma's way too): Dates are sent as UTC ISO text and read as UTC.
// - Boolean is a boolean: SQLite stores 0/1, converted both ways; PostgreSQL's bool as is.
// - BigInt (amount_cents) is a bigint: better-sqlite3 returns a number (exact: every value this
//   schema allows is below 2^53) converted to bigint; pg's int8 is parsed to bigint.
// - Schema defaults written by Prisma Client, not by the database (@default(now()),
//   @updatedAt), must be given explicitly in inserts/updates: SQLite's CURRENT_TIMESTAMP
//   default would store another text format.
// - Computed values are not converted: cast counts (`count(*)` is int8 on PostgreSQL).
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import pg from 'pg';
import type { DB } from '../generated/kysely/database.js';
import { postgresDialect, SqliteConnection, sqliteDialect } from './drivers.js';
import { DatabaseHealth } from './errors.js';
import { postgresRunner, sqliteRunner, Statements } from './statements.js';
import type { ColumnOf, NoRelations, RelatedColumn, Relations, TableName, TableRow, TypedTableDefinition } from './definitions.js';
import { sqlTable, type TableEnvironment } from './tables.js';
import type { Provider } from './provider.js';
import { postgresTypes } from './values.js';
import type { Table } from '../rest/data/index.js';

export type { Provider } from './provider.js';

export type Tables = DB;

export interface Database {
  provider: Provider;
  /** The typed query builder; rows follow the value conventions above on both databases. */
  kysely: Kysely<Tables>;
  /** Resolves when the database answers `SELECT 1` (the readiness probe). */
  ping(): Promise<void>;
  /** A table as the toolkit's viewsets use it (src/rest/data), its queries compiled once per shape. */
  table<
    T extends TableName,
    C extends ColumnOf<T>,
    R extends Relations<T> = NoRelations,
    J extends Record<string, RelatedColumn<R>> = NoRelations,
  >(
    definition: TypedTableDefinition<T, C, R, J>,
  ): Table<TableRow<T, C, R, J>>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Called for every SQL statement sent to the database (tests count queries with it). */
  onQuery?: (sql: string) => void;
  /** PostgreSQL pool size. */
  poolSize?: number;
  /**
   * Seconds a statement may run (PostgreSQL's statement_timeout; also how long a query waits
   * for a pool connection) or wait for another connection's lock (SQLite: retried on a timer until
   * then, see drivers.ts), after which it fails as DatabaseUnavailable. Default: none on PostgreSQL, 5 s on SQLite.
   */
  statementTimeout?: number;
  /** Told once when the database becomes unreachable or runs out of space, and once when that ends. */
  log?: (message: string) => void;
}

export function providerOf(url: string): Provider {
  if (url.startsWith('file:')) return 'sqlite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgresql';
  throw new Error(`Unsupported DATABASE_URL: ${url.split(':')[0]}:… (expected file:<path> or postgresql://…)`);
}

/** `file:relative/path` is resolved against the working directory; the folder is created if missing. */
export function sqlitePath(url: string): string {
  const path = resolve(url.slice('file:'.length).replace(/\?.*$/, ''));
  mkdirSync(dirname(path), { recursive: true });
  return path;
}

/**
 * The URL with `-c plan_cache_mode=force_generic_plan` added to its `options` (the connections'
 * startup settings): each prepared statement is then planned once per connection, for any values.
 * By default PostgreSQL re-plans a statement whenever the plan for its values looks cheaper than
 * the generic one, which for a list page (its offset unknown) is every time, and planning cost
 * more CPU than running it. The statements are written so that one plan suits all values
 * (./tables.ts: the page size in the SQL, a search's page from its matches; ./clauses.ts: short
 * search terms apart).
 */
function planOnce(url: string): string {
  const parsed = new URL(url);
  const given = parsed.searchParams.get('options');
  parsed.searchParams.set('options', `${given ? `${given} ` : ''}-c plan_cache_mode=force_generic_plan`);
  return parsed.toString();
}

/**
 * Commits are on disk when they return, as with Django: Python's sqlite3 keeps SQLite's default
 * synchronous=FULL, while better-sqlite3 is built with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1 (NORMAL),
 * under which the last commits of a WAL database roll back after a power loss or an OS crash.
 */
export function syncEveryCommit(sqlite: Sqlite.Database): Sqlite.Database {
  sqlite.pragma('synchronous = FULL');
  return sqlite;
}

export function openDatabase(url: string, options: OpenOptions = {}): Database {
  const provider = providerOf(url);
  const health = new DatabaseHealth(options.log);
  const timeoutMs = options.statementTimeout === undefined ? undefined : options.statementTimeout * 1000;
  if (provider === 'sqlite') {
    // better-sqlite3 is built with foreign keys on; WAL is set by the migration runner. Its
    // statements cannot be interrupted from JavaScript: they are bounded by construction
    // (indexed, at most 64 search terms); only the wait for another connection's lock is timed.
    const sqlite = syncEveryCommit(new Sqlite(sqlitePath(url), { timeout: 0 }));
    const connection = new SqliteConnection(sqlite, timeoutMs ?? 5000, options.onQuery, health);
    const kysely = new Kysely<Tables>({ dialect: sqliteDialect(connection) });
    const env: TableEnvironment = {
      provider,
      statements: new Statements(kysely, sqliteRunner(connection)),
    };
    return database(kysely, env);
  }
  const pool = new pg.Pool({
    connectionString: planOnce(url),
    max: options.poolSize ?? 10,
    types: postgresTypes,
    // The server cancels a statement past it (57014); a dead peer is noticed by TCP keep-alive.
    ...(timeoutMs === undefined ? {} : { statement_timeout: timeoutMs, connectionTimeoutMillis: timeoutMs }),
    keepAlive: true,
  });
  // An idle connection closed by the server (restart, failover, idle timeout) is dropped
  // by the pool and replaced on next use; unheard, its error event would crash the process.
  pool.on('error', () => undefined);
  // So is one lost while checked out (in a transaction): its query fails, the pool drops it on release.
  pool.on('connect', (client) => client.on('error', () => undefined));
  const kysely = new Kysely<Tables>({ dialect: postgresDialect(pool, health, options.onQuery) });
  const env: TableEnvironment = { provider, statements: new Statements(kysely, postgresRunner(pool, health, options.onQuery)) };
  return database(kysely, env);
}

/** The Database of either kind, over its Kysely instance and its tables' environment. */
function database(kysely: Kysely<Tables>, env: TableEnvironment): Database {
  return {
    provider: env.provider,
    kysely,
    ping: () => selectOne(kysely),
    // The SQL reads exactly the columns and aliases the definition names, so its rows are TableRow's.
    table: <T extends TableName, C extends ColumnOf<T>, R extends Relations<T>, J extends Record<string, RelatedColumn<R>>>(
      definition: TypedTableDefinition<T, C, R, J>,
    ) => sqlTable(env, definition) as Table<TableRow<T, C, R, J>>,
    close: () => kysely.destroy(),
  };
}

async function selectOne(kysely: Kysely<Tables>): Promise<void> {
  await sql`SELECT 1`.execute(kysely);
}

export type { Selectable } from 'kysely';
