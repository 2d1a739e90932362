// Django's `migrate`: applies the SQL migrations of prisma/migrations/<provider>/
// (written by scripts/makemigrations.ts). Prisma's own `migrate deploy` cannot run
// offline on PostgreSQL, so this runner does its job with the raw drivers. It keeps
// Prisma's bookkeeping table, written the way Prisma writes it, so the Prisma CLI and
// this runner agree on what is applied.
import { providerOf } from './index.js';
import { migratePostgres, postgresHistoryReadOnly } from './migrate-postgres.js';
import { migrateSqlite, sqliteHistoryReadOnly } from './migrate-sqlite.js';
import { appliedNames, migrationsDirectory, readMigrations } from './migrations.js';

export { MigrationError, migrationsDirectory, readMigrations } from './migrations.js';

export interface MigrateOptions {
  log?: (line: string) => void;
  /** The folder of migration folders; defaults to prisma/migrations/<provider>/. */
  migrationsDir?: string;
}

export interface MigrationState {
  name: string;
  applied: boolean;
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
