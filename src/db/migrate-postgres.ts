// The migration runner on PostgreSQL: an advisory lock for the whole run (Prisma's, so the Prisma
// CLI is excluded too), each migration in a transaction with its bookkeeping row.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { appliedNames, failure, HISTORY_COLUMNS, MigrationError, type HistoryRow, type Migration } from './migrations.js';

// Prisma's key, so this runner and the Prisma CLI also exclude each other.
const POSTGRES_LOCK = 'SELECT pg_advisory_lock(72707369)';
const POSTGRES_UNLOCK = 'SELECT pg_advisory_unlock(72707369)';

// Prisma's DDL, verbatim (from its schema engine).
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

export async function postgresHistoryReadOnly(url: string): Promise<HistoryRow[] | null> {
  const client = await connectPostgres(url);
  try {
    return await postgresHistory(client);
  } finally {
    await client.end();
  }
}

export async function migratePostgres(url: string, migrations: Migration[], log: (line: string) => void): Promise<string[]> {
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
