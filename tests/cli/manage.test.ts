// `npm run manage -- <command>` on the database under test: what it prints, and its exit codes.
// In this process (spawning adds ten seconds of tsx start-up under load and proves nothing more),
// except one run as a separate process, for the process's own exit code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrationsDirectory, readMigrations } from '../../src/db/migrate.js';
import { manage, manageInProcess } from '../support/cli.js';
import { blankDatabaseUrl, postgresAdminUrl, testProvider } from '../support/databases.js';
import { describeWithDatabase } from '../support/suite.js';

describeWithDatabase(`manage (${testProvider})`, () => {
  const names = readMigrations(migrationsDirectory(testProvider)).map((m) => m.name);
  let database: Awaited<ReturnType<typeof blankDatabaseUrl>>;
  beforeAll(async () => {
    database = await blankDatabaseUrl();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('migrate applies the migrations once; showmigrations tells which are applied', async () => {
    expect(await manageInProcess(['showmigrations'], database.url)).toEqual({ code: 0, stdout: names.map((n) => `[ ] ${n}\n`).join(''), stderr: '' });
    expect(await manageInProcess(['migrate'], database.url)).toEqual({ code: 0, stdout: names.map((n) => `Applied ${n}\n`).join(''), stderr: '' });
    expect(await manageInProcess(['migrate'], database.url)).toEqual({ code: 0, stdout: 'No migrations to apply.\n', stderr: '' });
    expect(await manageInProcess(['showmigrations'], database.url)).toEqual({ code: 0, stdout: names.map((n) => `[X] ${n}\n`).join(''), stderr: '' });
  });

  it('an unknown command prints the usage on stderr and exits with 2', async () => {
    const { code, stdout, stderr } = await manage(['frobnicate'], database.url);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^Unknown command: frobnicate\n/);
    expect(stderr).toContain('Usage: npm run manage -- <command>');
    expect(stderr).toMatch(/^ {2}migrate +Apply/m);
    expect(stderr).toMatch(/^ {2}showmigrations +List/m);
  });

  it('a bad DATABASE_URL is one line on stderr and exit code 1', async () => {
    expect(await manageInProcess(['migrate'], 'mysql://localhost/app')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: DATABASE_URL must be file:<path> (SQLite) or postgresql://… (PostgreSQL)\n',
    });
  });

  it('a database that cannot be opened is one line on stderr and exit code 1', async () => {
    // SQLite: a folder where the file should be. PostgreSQL: a database that does not exist.
    const folder = mkdtempSync(join(tmpdir(), 'manage-'));
    const missing = new URL(postgresAdminUrl);
    missing.pathname = '/drf_express_missing_database';
    try {
      const { code, stdout, stderr } = await manageInProcess(['migrate'], testProvider === 'sqlite' ? `file:${folder}` : missing.toString());
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr).toMatch(/^Error: Cannot (open|connect to) the database.*: .+\n$/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('<command> --help (and help <command>) prints its command line and what it does, exit code 0', async () => {
    const help = await manageInProcess(['create-token', '--help'], database.url);
    expect(help).toEqual({
      code: 0,
      stdout: expect.stringMatching(/^Usage: npm run manage -- create-token <username> \[-r\|--reset\]\n\nIssue a DRF token/),
      stderr: '',
    });
    expect(await manageInProcess(['help', 'create-token'], database.url)).toEqual(help);
    for (const command of ['migrate', 'createsuperuser', 'grant', 'listperms']) {
      const { code, stdout } = await manageInProcess([command, '-h'], database.url);
      expect({ code, line: stdout.split('\n')[0] }).toEqual({ code: 0, line: expect.stringMatching(new RegExp(`^Usage: npm run manage -- ${command}`)) });
    }
  });

  it('a wrong command line exits with 2 (argparse\'s convention), a failure with 1', async () => {
    expect((await manageInProcess(['migrate', 'extra'], database.url)).code).toBe(2);
    expect((await manageInProcess(['create-token'], database.url)).code).toBe(2);
    expect((await manageInProcess(['create-token', '--frobnicate', 'x'], database.url)).code).toBe(2);
    expect((await manageInProcess(['help', 'frobnicate'], database.url)).code).toBe(2);
    expect(await manageInProcess(['create-token', 'nobody-at-all'], database.url)).toMatchObject({ code: 1, stderr: 'Error: Cannot create the Token: user nobody-at-all does not exist\n' });
  });
});
