// Opens a database from a DATABASE_URL: SQLite (file:…) or PostgreSQL (postgresql://…).
// Prisma Client runs through driver adapters, so no query engine binary is needed.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlDriverAdapter, SqlDriverAdapterFactory, SqlQueryable } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaClient as PostgresClient } from '../generated/postgresql/client.js';
import { PrismaClient as SqliteClient } from '../generated/sqlite/client.js';

/**
 * Both generated clients expose the same model API (they come from one schema);
 * the application is typed against the SQLite one.
 */
export type Prisma = SqliteClient;
export type Provider = 'sqlite' | 'postgresql';

export interface Database {
  provider: Provider;
  prisma: Prisma;
  /** Resolves when the database answers `SELECT 1` (the readiness probe). */
  ping(): Promise<void>;
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
    return { provider, prisma, ping: () => selectOne(prisma), close: () => prisma.$disconnect() };
  }
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10 });
  // An idle connection closed by the server (restart, failover, idle timeout) is dropped
  // by the pool and replaced on next use; unheard, its error event would crash the process.
  pool.on('error', () => undefined);
  const factory = new PrismaPg(pool);
  const prisma = new PostgresClient({ adapter: intercepted(factory, { onQuery: options.onQuery }) }) as unknown as Prisma;
  return {
    provider,
    prisma,
    ping: () => selectOne(prisma),
    close: async () => {
      await prisma.$disconnect();
      await pool.end().catch(() => undefined);
    },
  };
}

async function selectOne(prisma: Prisma): Promise<void> {
  await prisma.$queryRawUnsafe('SELECT 1');
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
