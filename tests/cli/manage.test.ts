// `npm run manage -- <command>`, run as a separate process on the database under test:
// what it prints, and its exit codes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrationsDirectory, readMigrations } from '../../src/db/migrate.js';
import { manage } from '../support/cli.js';
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
    expect(await manage(['showmigrations'], database.url)).toEqual({ code: 0, stdout: names.map((n) => `[ ] ${n}\n`).join(''), stderr: '' });
    expect(await manage(['migrate'], database.url)).toEqual({ code: 0, stdout: names.map((n) => `Applied ${n}\n`).join(''), stderr: '' });
    expect(await manage(['migrate'], database.url)).toEqual({ code: 0, stdout: 'No migrations to apply.\n', stderr: '' });
    expect(await manage(['showmigrations'], database.url)).toEqual({ code: 0, stdout: names.map((n) => `[X] ${n}\n`).join(''), stderr: '' });
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
    expect(await manage(['migrate'], 'mysql://localhost/app')).toEqual({
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
      const { code, stdout, stderr } = await manage(['migrate'], testProvider === 'sqlite' ? `file:${folder}` : missing.toString());
      expect({ code, stdout }).toEqual({ code: 1, stdout: '' });
      expect(stderr).toMatch(/^Error: Cannot (open|connect to) the database.*: .+\n$/);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
