// What every command module shares: the command's shape, its one-line failure, and the
// database it works on. (Kept apart from manage.ts, which imports every command.)
import { loadConfig, type Config } from '../config.js';
import { openDatabase, type Database } from '../db/index.js';
import { showMigrations } from '../db/migrate.js';

export interface Command {
  name: string;
  /** Other names it answers to: Django's, where ours differs (`drf_create_token`). */
  aliases?: readonly string[];
  /** The command line it takes (`create-token <username> [-r|--reset]`), shown by `<command> --help`. */
  usage: string;
  /** One line, shown in the usage. */
  help: string;
  /** Resolves to the exit code. Throw CommandError (or ConfigError, MigrationError) for a one-line failure. */
  run(args: string[]): Promise<number>;
}

/** A failure the user can fix: printed as one line; exit code 1, or 2 for a wrong command line (as argparse). */
export class CommandError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Opens DATABASE_URL for one command, and closes it after; refuses a database with unapplied migrations. */
export async function withDatabase<T>(work: (db: Database, config: Config) => Promise<T>): Promise<T> {
  const config = loadConfig(process.env);
  const pending = (await showMigrations(config.databaseUrl)).filter((m) => !m.applied).length;
  if (pending > 0) {
    throw new CommandError(`The database has ${pending} unapplied migration(s): run \`npm run manage -- migrate\` first.`);
  }
  const db = openDatabase(config.databaseUrl);
  try {
    return await work(db, config);
  } finally {
    await db.close();
  }
}
