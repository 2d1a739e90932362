// What both migration runners share: the migrations on disk (prisma/migrations/<provider>/,
// written by scripts/makemigrations.ts) and the reading of Prisma's bookkeeping table,
// _prisma_migrations, which refuses a history that cannot safely be continued.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../project-root.js';
import type { Provider } from './index.js';

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

/** A row of _prisma_migrations, the columns the runners read. */
export interface HistoryRow {
  migration_name: string;
  checksum: string;
  finished_at: unknown;
  rolled_back_at: unknown;
}

export const HISTORY_COLUMNS = 'migration_name, checksum, finished_at, rolled_back_at';

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

/**
 * The names recorded as applied. Refuses a history this runner cannot safely continue:
 * a migration Prisma left half-applied, or one edited after it was applied.
 */
export function appliedNames(rows: HistoryRow[] | null, migrations: Migration[]): Set<string> {
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

export function failure(migration: Migration, error: unknown): MigrationError {
  const message = (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ').trim();
  return new MigrationError(`Migration ${migration.name} failed: ${message}`);
}
