// Migrating at startup (MIGRATE_ON_START): in the serving process itself, or, for worker
// threads, in a child process of its own that the main thread waits for (the main thread then
// never loads the database drivers). Either way a failure stops the server with one line.
import { fileURLToPath } from 'node:url';
import { loadConfig, type Config } from './config.js';
import { MigrationError, migrate } from './db/migrate.js';
import { fail, log } from './process.js';

export async function migrateOrFail(config: Config): Promise<void> {
  try {
    await migrate(config.databaseUrl, { log: (line) => log.info(line) });
  } catch (error) {
    if (error instanceof MigrationError) return fail(`Database migration failed, not starting: ${error.message}`);
    return fail(`Cannot reach the database, not starting: ${error instanceof Error ? error.message : String(error)}`);
  }
}

// Run as its own process (by the main thread of worker threads): migrate, and exit 0 when done.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  void migrateOrFail(loadConfig(process.env)).then(() => process.exit(0));
}
