// The project's manage.py: `npm run manage -- <command> [arguments]`.
// A command is an object in `commands` below; commands that need more than a few
// lines live in their own module under src/cli/ and are added to that list.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '../config.js';
import { migrate, MigrationError, showMigrations } from '../db/migrate.js';
import { accountCommands } from './accounts.js';
import { CommandError, type Command } from './command.js';
import { dumpdataCommand } from './dumpdata.js';
import { loaddataCommand } from './loaddata.js';
import { permissionCommands } from './permissions.js';

function noArguments(command: string, args: string[]): void {
  if (args.length > 0) throw new CommandError(`${command} takes no arguments (got ${args.join(' ')})`, 2);
}

const databaseUrl = () => loadConfig(process.env).databaseUrl;

export const commands: Command[] = [
  {
    name: 'migrate',
    usage: 'migrate',
    help: 'Apply the pending database migrations to DATABASE_URL.',
    async run(args) {
      noArguments('migrate', args);
      const { applied } = await migrate(databaseUrl(), { log: (line) => console.log(line) });
      if (applied.length === 0) console.log('No migrations to apply.');
      return 0;
    },
  },
  {
    name: 'showmigrations',
    usage: 'showmigrations',
    help: 'List the migrations: [X] applied, [ ] pending.',
    async run(args) {
      noArguments('showmigrations', args);
      for (const { name, applied } of await showMigrations(databaseUrl())) {
        console.log(`[${applied ? 'X' : ' '}] ${name}`);
      }
      return 0;
    },
  },
  loaddataCommand,
  dumpdataCommand,
  ...accountCommands,
  ...permissionCommands,
];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 3;
  return [
    'Usage: npm run manage -- <command> [arguments]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.help}`),
    '',
    'The database is DATABASE_URL (default: the SQLite file data/db.sqlite3).',
    '`npm run manage -- <command> --help` tells what a command takes. Exit codes: 0 done, 1 failed, 2 a wrong command line.',
  ].join('\n');
}

/** `<command> --help`: its command line and what it does. */
const commandUsage = (command: Command) => `Usage: npm run manage -- ${command.usage}\n\n${command.help}`;
const isHelp = (arg: string | undefined) => arg === '--help' || arg === '-h';
const commandNamed = (name: string) => commands.find((c) => c.name === name || c.aliases?.includes(name));

/** Exit codes as Django's argparse: 0 done, 1 failed, 2 a wrong command line. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === 'help' || isHelp(name)) {
    // `help <command>` is `<command> --help`, as Django's `manage.py help <command>`.
    const about = args[0] === undefined ? undefined : commandNamed(args[0]);
    if (args[0] !== undefined && !about) {
      console.error(`Unknown command: ${args[0]}\n\n${usage()}`);
      return 2;
    }
    console.log(about ? commandUsage(about) : usage());
    return 0;
  }
  const command = name === undefined ? undefined : commandNamed(name);
  if (!command) {
    console.error(`${name === undefined ? 'No command given.' : `Unknown command: ${name}`}\n\n${usage()}`);
    return 2;
  }
  if (args.some(isHelp)) {
    console.log(commandUsage(command));
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof CommandError || error instanceof ConfigError || error instanceof MigrationError) {
      console.error(`Error: ${error.message}`);
      return error instanceof CommandError ? error.exitCode : 1;
    }
    // Not expected; still one line, since a stack trace is no help to whoever runs manage.
    console.error(`Unexpected error in ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

// Run only as the entry point: the tests import main.
// (realpath: Node resolves symlinks for import.meta.url but not for argv[1].)
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
