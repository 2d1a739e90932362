// Django's `migrate`: applies the SQL migrations of prisma/migrations/<provider>/
// (written by scripts/makemigrations.ts). Prisma's own `migrate deploy` cannot run
// offline on PostgreSQL, so this runner does its job with the raw drivers. It keeps
// Prisma's bookkeeping table, written the way Prisma writes it, so the Prisma CLI and
// this runner agree on what is applied.
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { projectRoot } from '../project-root.js';
import { providerOf, sqlitePath, type Provider } from './index.js';
// How Prisma's SQLite adapter writes a DateTime (what `prisma migrate deploy` stores too).
import { sqliteTimestamp } from './values.js';

export class MigrationError extends Error {
  override name = 'MigrationError';
}

export interface Migration {
  /** The folder name, e.g. 20261122000000_initial. */
  name: string;
  sql: string;
  /** sha256 of migration.sql, hex: what Prisma records. */
  checksum: string;
}

export interface MigrateOptions {
  log?: (line: string) => void;
  /** The folder of migration folders; defaults to prisma/migrations/<provider>/. */
  migrationsDir?: string;
}

export interface MigrationState {
  name: string;
  applied: boolean;
}

interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

// Prisma's key, so this runner and the Prisma CLI also exclude each other.
const POSTGRES_LOCK = 'SELECT pg_advisory_lock(72707369)';
const POSTGRES_UNLOCK = 'SELECT pg_advisory_unlock(72707369)';
// How long an SQLite instance waits for another one's migration to finish.
const SQLITE_LOCK_WAIT_MS = 60_000;

// Prisma's DDL, verbatim (from its schema engine).
const SQLITE_HISTORY_DDL = `CREATE TABLE "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
);`;
const POSTGRES_HISTORY_DDL = `CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);`;
const HISTORY_COLUMNS = 'migration_name, checksum, finished_at, rolled_back_at';

export function migrationsDirectory(provider: Provider): string {
  return join(projectRoot, 'prisma', 'migrations', provider);
}

/** Every subfolder holding a migration.sql, in name order (the order they apply in). */
export function readMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) throw new MigrationError(`No migrations folder at ${dir}`);
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .map((name) => {
      const bytes = readFileSync(join(dir, name, 'migration.sql'));
      return { name, sql: bytes.toString('utf8'), checksum: createHash('sha256').update(bytes).digest('hex') };
    });
}

/** Applies every migration not yet recorded, each in its own transaction with its bookkeeping row. */
export async function migrate(url: string, options: MigrateOptions = {}): Promise<{ applied: string[] }> {
  const provider = providerOf(url);
  const migrations = readMigrations(options.migrationsDir ?? migrationsDirectory(provider));
  const log = options.log ?? (() => undefined);
  const applied = provider === 'sqlite' ? await migrateSqlite(url, migrations, log) : await migratePostgres(url, migrations, log);
  return { applied };
}

/** Each migration with whether it is applied (Django's showmigrations). Creates no database or table. */
export async function showMigrations(url: string, options: Pick<MigrateOptions, 'migrationsDir'> = {}): Promise<MigrationState[]> {
  const provider = providerOf(url);
  const migrations = readMigrations(options.migrationsDir ?? migrationsDirectory(provider));
  const applied = appliedNames(provider === 'sqlite' ? sqliteHistoryReadOnly(url) : await postgresHistoryReadOnly(url), migrations);
  return migrations.map(({ name }) => ({ name, applied: applied.has(name) }));
}

/**
 * The names recorded as applied. Refuses a history this runner cannot safely continue:
 * a migration Prisma left half-applied, or one edited after it was applied.
 */
function appliedNames(rows: HistoryRow[] | null, migrations: Migration[]): Set<string> {
  const files = new Map(migrations.map((m) => [m.name, m]));
  const applied = new Set<string>();
  for (const row of rows ?? []) {
    if (row.rolled_back_at != null) continue;
    const name = row.migration_name;
    if (row.finished_at == null) {
      throw new MigrationError(
        `Migration ${name} is recorded as failed in _prisma_migrations (it was started but never finished). ` +
          `Repair the database by hand, then delete that row or set its rolled_back_at, and migrate again.`,
      );
    }
    const file = files.get(name);
    if (file && file.checksum !== row.checksum) {
      throw new MigrationError(
        `Migration ${name} was modified after it was applied (its checksum differs from the one in _prisma_migrations). ` +
          `Restore the original migration.sql and put the change in a new migration (npm run db:makemigrations -- <name>).`,
      );
    }
    applied.add(name);
  }
  return applied;
}

function failure(migration: Migration, error: unknown): MigrationError {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  return new MigrationError(`Migration ${migration.name} failed: ${message}`);
}

// --- SQLite ---------------------------------------------------------------------------

/** The bookkeeping rows; null when the table does not exist yet. */
function sqliteHistory(db: Sqlite.Database): HistoryRow[] | null {
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'`).get();
  return exists ? (db.prepare(`SELECT ${HISTORY_COLUMNS} FROM "_prisma_migrations"`).all() as HistoryRow[]) : null;
}

/** Opens a `file:` URL (creating the folder); any failure is one MigrationError line. */
function openSqlite(url: string, options: Sqlite.Options): Sqlite.Database {
  try {
    return new Sqlite(sqlitePath(url), options);
  } catch (error) {
    throw new MigrationError(`Cannot open the database ${url}: ${(error as Error).message}`);
  }
}

function sqliteHistoryReadOnly(url: string): HistoryRow[] | null {
  if (!existsSync(sqlitePath(url))) return null;
  const db = openSqlite(url, { readonly: true });
  try {
    return sqliteHistory(db);
  } finally {
    db.close();
  }
}

/**
 * Readers no longer block the writer: set once, the database file keeps it. When two
 * connections switch at once, SQLite answers SQLITE_BUSY without waiting (waiting could
 * deadlock), so the switch is retried.
 */
async function enableWal(db: Sqlite.Database): Promise<void> {
  const deadline = Date.now() + SQLITE_LOCK_WAIT_MS;
  for (;;) {
    try {
      db.pragma('journal_mode = WAL');
      return;
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
      await sleep(20);
    }
  }
}

async function migrateSqlite(url: string, migrations: Migration[], log: (line: string) => void): Promise<string[]> {
  const db = openSqlite(url, { timeout: SQLITE_LOCK_WAIT_MS });
  try {
    await enableWal(db);
    const applied: string[] = [];
    // Read without the lock first, so a database already up to date costs no write lock.
    const done = appliedNames(sqliteHistory(db), migrations);
    for (const migration of migrations.filter((m) => !done.has(m.name))) {
      if (applySqlite(db, migration)) {
        applied.push(migration.name);
        log(`Applied ${migration.name}`);
      }
    }
    return applied;
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw new MigrationError(`Cannot migrate ${url}: ${(error as Error).message}`);
  } finally {
    db.close();
  }
}

/** False when another process applied it while this one waited for the write lock. */
function applySqlite(db: Sqlite.Database, migration: Migration): boolean {
  // Prisma's SQLite migrations rebuild tables (create, copy, drop, rename) between
  // PRAGMA foreign_keys=OFF/ON, which is a no-op inside a transaction: with foreign keys
  // on, the DROP would cascade-delete the child rows. So, as SQLite documents for schema
  // changes, foreign keys go off around the transaction and are checked before commit
  // (so ON DELETE actions do not fire within a migration: delete child rows explicitly).
  db.pragma('foreign_keys = OFF');
  db.exec('BEGIN IMMEDIATE');
  try {
    const history = sqliteHistory(db);
    if (appliedNames(history, [migration]).has(migration.name)) return false;
    const startedAt = new Date();
    try {
      db.exec(migration.sql);
      const broken = db.pragma('foreign_key_check') as { table: string; parent: string }[];
      if (broken.length > 0) {
        throw new Error(`FOREIGN KEY check failed: rows of ${broken[0]!.table} reference missing rows of ${broken[0]!.parent}`);
      }
    } catch (error) {
      throw failure(migration, error);
    }
    if (history === null) db.exec(SQLITE_HISTORY_DDL);
    db.prepare(
      `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, ?, 1)`,
    ).run(randomUUID(), migration.checksum, sqliteTimestamp(new Date()), migration.name, sqliteTimestamp(startedAt));
    db.exec('COMMIT');
    return true;
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.pragma('foreign_keys = ON');
  }
}

// --- PostgreSQL -----------------------------------------------------------------------

async function connectPostgres(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  // A dropped connection is reported by the pending query; without a listener the
  // 'error' event would crash the process instead.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    throw new MigrationError(`Cannot connect to the database: ${(error as Error).message}`);
  }
  return client;
}

/** The bookkeeping rows; null when the table does not exist yet. */
async function postgresHistory(client: pg.Client): Promise<HistoryRow[] | null> {
  const { rows } = await client.query<{ exists: boolean }>(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS exists`);
  if (!rows[0]!.exists) return null;
  return (await client.query<HistoryRow>(`SELECT ${HISTORY_COLUMNS} FROM _prisma_migrations`)).rows;
}

async function postgresHistoryReadOnly(url: string): Promise<HistoryRow[] | null> {
  const client = await connectPostgres(url);
  try {
    return await postgresHistory(client);
  } finally {
    await client.end();
  }
}

async function migratePostgres(url: string, migrations: Migration[], log: (line: string) => void): Promise<string[]> {
  const client = await connectPostgres(url);
  try {
    // Held for the whole run, so the history read below cannot go stale.
    await client.query(POSTGRES_LOCK);
    try {
      const history = await postgresHistory(client);
      let historyExists = history !== null;
      const done = appliedNames(history, migrations);
      const applied: string[] = [];
      for (const migration of migrations.filter((m) => !done.has(m.name))) {
        await client.query('BEGIN');
        try {
          const startedAt = new Date();
          // Without parameters, pg uses the simple query protocol, which runs several statements.
          await client.query(migration.sql);
          if (!historyExists) await client.query(POSTGRES_HISTORY_DDL);
          await client.query(
            `INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, $4, $5, 1)`,
            [randomUUID(), migration.checksum, new Date(), migration.name, startedAt],
          );
          await client.query('COMMIT');
          historyExists = true;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw failure(migration, error);
        }
        applied.push(migration.name);
        log(`Applied ${migration.name}`);
      }
      return applied;
    } finally {
      await client.query(POSTGRES_UNLOCK).catch(() => undefined);
    }
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw new MigrationError(`Cannot migrate the database: ${(error as Error).message}`);
  } finally {
    await client.end();
  }
}
