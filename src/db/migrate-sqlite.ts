// The migration runner on SQLite: each migration in a BEGIN IMMEDIATE transaction with its
// bookkeeping row (the write lock serializes concurrent starts), foreign keys checked before commit.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import Sqlite from 'better-sqlite3';
import { sqlitePath, syncEveryCommit } from './index.js';
import { appliedNames, failure, HISTORY_COLUMNS, MigrationError, type HistoryRow, type Migration } from './migrations.js';
// How Prisma's SQLite adapter writes a DateTime (what `prisma migrate deploy` stores too).
import { sqliteTimestamp } from './values.js';

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

export function sqliteHistoryReadOnly(url: string): HistoryRow[] | null {
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

export async function migrateSqlite(url: string, migrations: Migration[], log: (line: string) => void): Promise<string[]> {
  const db = syncEveryCommit(openSqlite(url, { timeout: SQLITE_LOCK_WAIT_MS }));
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
