// Opens a database from a DATABASE_URL: SQLite (file:…) or PostgreSQL (postgresql://…).
// Queries go through Kysely (typed by src/generated/kysely, generated from schema.prisma by
// prisma-kysely) on better-sqlite3 or a pg Pool. Prisma Client still runs alongside, through
// driver adapters, while the apps move over.
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
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQueryable } from '@prisma/driver-adapter-utils';
import Sqlite from 'better-sqlite3';
import { Kysely } from 'kysely';
import pg from 'pg';
import type { DB } from '../generated/kysely/database.js';
import { postgresDialect, SqliteConnection, sqliteDialect } from './drivers.js';
import { postgresTypes } from './values.js';
import { PrismaClient as PostgresClient } from '../generated/postgresql/client.js';
import { PrismaClient as SqliteClient } from '../generated/sqlite/client.js';

/**
 * Both generated clients expose the same model API (they come from one schema);
 * the application is typed against the SQLite one.
 */
export type Prisma = SqliteClient;
export type Provider = 'sqlite' | 'postgresql';

export type Tables = DB;

export interface Database {
  provider: Provider;
  prisma: Prisma;
  /** The typed query builder; rows follow the value conventions above on both databases. */
  kysely: Kysely<Tables>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Called for every SQL statement sent to the database (tests count queries with it). */
  onQuery?: (sql: string) => void;
  /** PostgreSQL pool size. */
  poolSize?: number;
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

export function openDatabase(url: string, options: OpenOptions = {}): Database {
  const provider = providerOf(url);
  if (provider === 'sqlite') {
    // better-sqlite3 is built with foreign keys on; WAL is set by the migration runner.
    const factory = new PrismaBetterSQLite3({ url: sqlitePath(url), timeout: 5000 });
    const prisma = new SqliteClient({ adapter: intercepted(factory, { rewrite: escapeSqliteLike, onQuery: options.onQuery }) });
    const connection = new SqliteConnection(new Sqlite(sqlitePath(url), { timeout: 5000 }), options.onQuery);
    const kysely = new Kysely<Tables>({ dialect: sqliteDialect(connection) });
    return {
      provider,
      prisma,
      kysely,
      close: async () => {
        await prisma.$disconnect();
        await kysely.destroy();
      },
    };
  }
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // An idle connection closed by the server (restart, failover, idle timeout) is dropped
  // by the pool and replaced on next use; unheard, its error event would crash the process.
  pool.on('error', () => undefined);
  const factory = new PrismaPg(pool);
  const prisma = new PostgresClient({ adapter: intercepted(factory, { onQuery: options.onQuery }) }) as unknown as Prisma;
  // Prisma gets a pool of its own: its adapter reads rows with pg's default type parsers.
  const kyselyPool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, types: postgresTypes });
  kyselyPool.on('error', () => undefined);
  const kysely = new Kysely<Tables>({ dialect: postgresDialect(kyselyPool, options.onQuery) });
  return {
    provider,
    prisma,
    kysely,
    close: async () => {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
      await kysely.destroy();
    },
  };
}

/**
 * LIKE patterns use backslash as their escape character on both databases (see
 * likeLiteral in rest/filters.ts). PostgreSQL does so by default; SQLite has no
 * default, and Prisma does not emit an ESCAPE clause, so one is added here.
 */
const escapeSqliteLike = (sql: string) => sql.replaceAll(' LIKE ?', " LIKE ? ESCAPE '\\'");

interface Interception {
  rewrite?: ((sql: string) => string) | undefined;
  /** Called for every statement, inside transactions too. */
  onQuery?: ((sql: string) => void) | undefined;
}

/** Wraps an adapter factory so every statement can be rewritten and observed. */
function intercepted<F extends SqlDriverAdapterFactory>(factory: F, { rewrite, onQuery }: Interception): F {
  if (!rewrite && !onQuery) return factory;
  const watch = <Q extends SqlQueryable>(queryable: Q): Q => {
    const queryRaw = queryable.queryRaw.bind(queryable);
    const executeRaw = queryable.executeRaw.bind(queryable);
    const prepare = <T extends { sql: string }>(query: T): T => {
      const sql = rewrite ? rewrite(query.sql) : query.sql;
      onQuery?.(sql);
      return sql === query.sql ? query : { ...query, sql };
    };
    queryable.queryRaw = (query) => queryRaw(prepare(query));
    queryable.executeRaw = (query) => executeRaw(prepare(query));
    return queryable;
  };
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter: SqlDriverAdapter = watch(await connect());
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolation) => watch(await startTransaction(isolation));
    return adapter;
  };
  return factory;
}
