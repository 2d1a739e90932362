// The migration runner (src/db/migrate.ts) and the migrations themselves: applied in
// order, once, atomically, with Prisma's bookkeeping, and adding up to prisma/schema.prisma.
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { migrationsRoot, prismaDiff, schemaFor, schemaPath, snapshotPath } from '../../scripts/makemigrations.js';
import { projectRoot } from '../../src/config.js';
import { sqlitePath } from '../../src/db/index.js';
import { migrate, MigrationError, migrationsDirectory, readMigrations, showMigrations } from '../../src/db/migrate.js';
import { blankDatabaseUrl, testProvider } from '../support/databases.js';
import { describeWithDatabase } from '../support/suite.js';

const run = promisify(execFile);

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  await Promise.all(cleanups.map((cleanup) => cleanup()));
});

async function freshUrl(): Promise<string> {
  const { url, drop } = await blankDatabaseUrl();
  cleanups.push(drop);
  return url;
}

/** A temporary migrations folder: { folder name: SQL }. Returns its path. */
function migrationsFolder(migrations: Record<string, string>, dir = mkdtempSync(join(tmpdir(), 'migrations-'))): string {
  for (const [name, sql] of Object.entries(migrations)) {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'migration.sql'), sql);
  }
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

type Row = Record<string, unknown>;

/** A raw connection to the database under test; SQL placeholders are the driver's own. */
interface Raw {
  query<T = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

async function connect(url: string): Promise<Raw> {
  if (testProvider === 'sqlite') {
    const db = new Sqlite(sqlitePath(url));
    return {
      query: async <T>(sql: string, params: unknown[] = []) => db.prepare(sql).all(...params) as T[],
      exec: async (sql) => void db.exec(sql),
      close: async () => void db.close(),
    };
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    query: async <T>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as T[],
    exec: async (sql) => void (await client.query(sql)),
    close: () => client.end(),
  };
}

async function withConnection<T>(url: string, use: (raw: Raw) => Promise<T>): Promise<T> {
  const raw = await connect(url);
  try {
    return await use(raw);
  } finally {
    await raw.close();
  }
}

async function tableNames(url: string): Promise<string[]> {
  return withConnection(url, async (raw) => {
    const rows = await raw.query<{ name: string }>(
      testProvider === 'sqlite'
        ? `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
        : `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema()`,
    );
    return rows.map((r) => r.name).sort();
  });
}

interface HistoryRow {
  id: string;
  checksum: string;
  migration_name: string;
  started_at: unknown;
  finished_at: unknown;
  rolled_back_at: unknown;
  logs: unknown;
  applied_steps_count: number;
}

async function history(url: string): Promise<HistoryRow[]> {
  return withConnection(url, (raw) => raw.query<HistoryRow>('SELECT * FROM _prisma_migrations ORDER BY migration_name'));
}

// --- Schema introspection: a normalized description that two databases can be compared by.

interface TableDescription {
  name: string;
  columns: { name: string; type: string; nullable: boolean; default: unknown; primaryKey: boolean }[];
  indexes: { name: string; unique: boolean; primary: boolean; columns: string[] }[];
  foreignKeys: { name?: string; columns: string[]; table: string; referencedColumns: string[]; onDelete: string; onUpdate: string }[];
  autoincrement?: boolean;
}

/**
 * The hand-written migrations' objects, which schema.prisma cannot express: the SQLite FTS5
 * search index (posts_post_fts and its shadow tables) and its partial index of folded rows
 * (posts_post_fts_folded_idx), PostgreSQL's trigram indexes, its tables of UPPER(column) copies
 * that search compares (…_upper), and the row_counts table. The drift check leaves them out on purpose;
 * tests/db/search.test.ts and the list tests cover them.
 */
const handWritten = (name: string) => /^posts_post_fts|^row_counts$|_upper$|_trgm_idx$/.test(name);

const byName = <T extends { name: string }>(a: T, b: T) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
const byJson = <T>(a: T, b: T) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1);

async function describeSqlite(raw: Raw): Promise<TableDescription[]> {
  const tables = await raw.query<{ name: string; sql: string }>(
    `SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_prisma_migrations'`,
  );
  const described: TableDescription[] = [];
  for (const table of tables.filter(({ name }) => !handWritten(name))) {
    const columns = await raw.query<{ name: string; type: string; notnull: number; dflt_value: unknown; pk: number }>(
      `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)`,
      [table.name],
    );
    const indexes = [];
    for (const index of await raw.query<{ name: string; unique: number; origin: string }>(`SELECT name, "unique", origin FROM pragma_index_list(?)`, [table.name])) {
      if (handWritten(index.name)) continue;
      const indexColumns = await raw.query<{ name: string }>(`SELECT name FROM pragma_index_info(?) ORDER BY seqno`, [index.name]);
      indexes.push({ name: index.name, unique: index.unique === 1, primary: index.origin === 'pk', columns: indexColumns.map((c) => c.name) });
    }
    const references = await raw.query<{ id: number; table: string; from: string; to: string; on_update: string; on_delete: string }>(
      `SELECT id, "table", "from", "to", on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq`,
      [table.name],
    );
    const foreignKeys = [...new Set(references.map((r) => r.id))].map((id) => {
      const parts = references.filter((r) => r.id === id);
      return {
        columns: parts.map((p) => p.from),
        table: parts[0]!.table,
        referencedColumns: parts.map((p) => p.to),
        onDelete: parts[0]!.on_delete,
        onUpdate: parts[0]!.on_update,
      };
    });
    described.push({
      name: table.name,
      columns: columns
        .map((c) => ({ name: c.name, type: c.type.toUpperCase(), nullable: c.notnull === 0 && c.pk === 0, default: c.dflt_value, primaryKey: c.pk > 0 }))
        .sort(byName),
      indexes: indexes.sort(byName),
      foreignKeys: foreignKeys.sort(byJson),
      autoincrement: /\bAUTOINCREMENT\b/i.test(table.sql),
    });
  }
  return described.sort(byName);
}

const postgresActions: Record<string, string> = { a: 'NO ACTION', r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

async function describePostgres(raw: Raw): Promise<TableDescription[]> {
  const columns = await raw.query<{
    table: string;
    name: string;
    type: string;
    length: number | null;
    precision: number | null;
    nullable: string;
    default: string | null;
  }>(
    `SELECT table_name AS table, column_name AS name, udt_name AS type, character_maximum_length AS length,
            datetime_precision AS precision, is_nullable AS nullable, column_default AS default
       FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name <> '_prisma_migrations' AND is_generated = 'NEVER'`,
  );
  // A column list in key order, for an index or either side of a foreign key.
  const columnNames = (keys: string, relation: string) =>
    `ARRAY(SELECT a.attname::text FROM unnest(${keys}::int2[]) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_attribute a ON a.attrelid = ${relation} AND a.attnum = k.attnum ORDER BY k.position)`;
  const indexes = await raw.query<{ table: string; name: string; unique: boolean; primary: boolean; columns: string[] }>(
    `SELECT t.relname AS table, i.relname AS name, x.indisunique AS unique, x.indisprimary AS primary,
            ${columnNames('x.indkey', 't.oid')} AS columns
       FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
      WHERE t.relnamespace = current_schema()::regnamespace AND t.relname <> '_prisma_migrations'`,
  );
  const foreignKeys = await raw.query<{
    table: string;
    name: string;
    columns: string[];
    referenced_table: string;
    referenced_columns: string[];
    on_delete: string;
    on_update: string;
  }>(
    `SELECT t.relname AS table, c.conname AS name, ${columnNames('c.conkey', 'c.conrelid')} AS columns,
            r.relname AS referenced_table, ${columnNames('c.confkey', 'c.confrelid')} AS referenced_columns,
            c.confdeltype AS on_delete, c.confupdtype AS on_update
       FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid JOIN pg_class r ON r.oid = c.confrelid
      WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace`,
  );
  const tables = [...new Set(columns.map((c) => c.table))].filter((table) => !handWritten(table));
  return tables
    .map((table) => {
      const primary = indexes.find((i) => i.table === table && i.primary)?.columns ?? [];
      return {
        name: table,
        columns: columns
          .filter((c) => c.table === table)
          .map((c) => ({
            name: c.name,
            type: `${c.type}${c.length !== null ? `(${c.length})` : ''}${c.precision !== null && c.type.startsWith('timestamp') ? `(${c.precision})` : ''}`,
            nullable: c.nullable === 'YES',
            default: c.default,
            primaryKey: primary.includes(c.name),
          }))
          .sort(byName),
        indexes: indexes
          .filter((i) => i.table === table && !handWritten(i.name))
          .map(({ name, unique, primary, columns }) => ({ name, unique, primary, columns }))
          .sort(byName),
        foreignKeys: foreignKeys
          .filter((f) => f.table === table)
          .map((f) => ({
            name: f.name,
            columns: f.columns,
            table: f.referenced_table,
            referencedColumns: f.referenced_columns,
            onDelete: postgresActions[f.on_delete]!,
            onUpdate: postgresActions[f.on_update]!,
          }))
          .sort(byJson),
      };
    })
    .sort(byName);
}

async function describeSchema(url: string): Promise<TableDescription[]> {
  return withConnection(url, (raw) => (testProvider === 'sqlite' ? describeSqlite(raw) : describePostgres(raw)));
}

// --- Provider-specific SQL used by the tests below.

/** A statement that takes a little while, so concurrent runs overlap. */
const slowStatement =
  testProvider === 'sqlite'
    ? 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 50000) SELECT count(*) FROM n;'
    : 'SELECT pg_sleep(0.05);';


// Behaviour only SQLite has: registered in the sqlite project alone (not reported as skipped elsewhere).
/**
 * A fresh database migrated up to (not including) the migration `name`, with `seed` run on it;
 * returns the database and a function that applies `name` alone and checks it was applied.
 */
async function beforeMigration(name: string, seed: string) {
  const url = await freshUrl();
  const files = readMigrations(migrationsDirectory(testProvider));
  const index = files.findIndex((f) => f.name === name);
  expect(index).toBeGreaterThan(0);
  const dir = migrationsFolder(Object.fromEntries(files.slice(0, index).map((f) => [f.name, f.sql])));
  await migrate(url, { migrationsDir: dir });
  await withConnection(url, (raw) => raw.exec(seed));
  const apply = async () => {
    migrationsFolder(Object.fromEntries(files.slice(index, index + 1).map((f) => [f.name, f.sql])), dir);
    expect(await migrate(url, { migrationsDir: dir })).toEqual({ applied: [name] });
  };
  return { url, apply };
}

const sqliteOnly: typeof it = testProvider === 'sqlite' ? it : ((() => undefined) as unknown as typeof it);
const postgresOnly: typeof it = testProvider === 'postgresql' ? it : ((() => undefined) as unknown as typeof it);

describeWithDatabase(`migrations (${testProvider})`, () => {
  it('add up to prisma/schema.prisma: a migrated database equals one built from the schema (no drift)', async () => {
    const [migrated, direct] = await Promise.all([freshUrl(), freshUrl()]);
    await migrate(migrated);
    const schemaSql = prismaDiff(null, schemaFor(testProvider, readFileSync(schemaPath, 'utf8')));
    await withConnection(direct, (raw) => raw.exec(schemaSql));

    const [actual, expected] = await Promise.all([describeSchema(migrated), describeSchema(direct)]);
    expect(expected.map((t) => t.name)).toContain('auth_user');
    expect(actual, 'prisma/schema.prisma differs from what the migrations build: run `npm run db:makemigrations -- <name>`').toEqual(expected);
  });

  it('have a snapshot equal to prisma/schema.prisma and the same folders for both providers', () => {
    expect(readFileSync(snapshotPath, 'utf8'), 'prisma/schema.prisma changed since the last migration: run `npm run db:makemigrations -- <name>`').toBe(
      readFileSync(schemaPath, 'utf8'),
    );
    const names = (provider: 'sqlite' | 'postgresql') => readMigrations(migrationsDirectory(provider)).map((m) => m.name);
    expect(names('sqlite')).toEqual(names('postgresql'));
    expect(names('sqlite').length).toBeGreaterThan(0);
    for (const provider of ['sqlite', 'postgresql']) {
      expect(readFileSync(join(migrationsRoot, provider, 'migration_lock.toml'), 'utf8')).toContain(`provider = "${provider}"`);
    }
  });

  it('apply once: a second run applies nothing, and each is recorded with its checksum', async () => {
    const url = await freshUrl();
    const files = readMigrations(migrationsDirectory(testProvider));
    const lines: string[] = [];
    expect(await showMigrations(url)).toEqual(files.map((f) => ({ name: f.name, applied: false })));

    expect(await migrate(url, { log: (line) => lines.push(line) })).toEqual({ applied: files.map((f) => f.name) });
    expect(lines).toEqual(files.map((f) => `Applied ${f.name}`));
    expect(await migrate(url, { log: (line) => lines.push(line) })).toEqual({ applied: [] });
    expect(lines).toHaveLength(files.length);
    expect(await showMigrations(url)).toEqual(files.map((f) => ({ name: f.name, applied: true })));

    const rows = await history(url);
    expect(rows.map((r) => r.migration_name)).toEqual(files.map((f) => f.name));
    for (const [i, row] of rows.entries()) {
      const file = files[i]!;
      expect(row.checksum).toBe(createHash('sha256').update(readFileSync(join(migrationsDirectory(testProvider), file.name, 'migration.sql'))).digest('hex'));
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(row).toMatchObject({ rolled_back_at: null, logs: null, applied_steps_count: 1 });
      expect(row.finished_at).not.toBeNull();
      if (testProvider === 'sqlite') {
        // What Prisma's SQLite adapter writes, so the Prisma CLI can read these rows.
        expect(row.started_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
        expect(row.finished_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
      } else {
        expect(row.started_at).toBeInstanceOf(Date);
        expect(row.finished_at).toBeInstanceOf(Date);
      }
    }
  });

  it('roll a failing migration back entirely and record nothing for it', async () => {
    const url = await freshUrl();
    const good = 'CREATE TABLE first_table (id INTEGER PRIMARY KEY);';
    const dir = migrationsFolder({ '0001_first': `${good}\nFOO;` });

    // The very first migration fails: not even the bookkeeping table is left behind.
    const firstFailure = migrate(url, { migrationsDir: dir });
    await expect(firstFailure).rejects.toThrow(MigrationError);
    await expect(firstFailure).rejects.toThrow(/^Migration 0001_first failed: .*syntax error.*$/);
    expect(await tableNames(url)).toEqual([]);

    // A later one fails: the earlier one in the same run stays applied.
    migrationsFolder(
      {
        '0001_first': good,
        '0002_second': 'CREATE TABLE second_a (id INTEGER PRIMARY KEY);\nCREATE TABLE second_b (id INTEGER PRIMARY KEY);\nINSERT INTO first_table (id) VALUES (1);\nFOO;',
      },
      dir,
    );
    const error = await migrate(url, { migrationsDir: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MigrationError);
    expect((error as Error).message).toMatch(/^Migration 0002_second failed: .*syntax error/);
    expect((error as Error).message).not.toContain('\n');
    expect(await tableNames(url)).toEqual(['_prisma_migrations', 'first_table']);
    expect(await withConnection(url, (raw) => raw.query('SELECT * FROM first_table'))).toEqual([]);
    expect((await history(url)).map((r) => r.migration_name)).toEqual(['0001_first']);

    migrationsFolder({ '0002_second': 'CREATE TABLE second_a (id INTEGER PRIMARY KEY);' }, dir);
    expect(await migrate(url, { migrationsDir: dir })).toEqual({ applied: ['0002_second'] });
  });

  it('refuse a migration modified after it was applied, and a migration recorded as failed', async () => {
    const url = await freshUrl();
    const dir = migrationsFolder({ '0001_first': 'CREATE TABLE first_table (id INTEGER PRIMARY KEY);' });
    await migrate(url, { migrationsDir: dir });

    migrationsFolder({ '0001_first': 'CREATE TABLE first_table (id INTEGER PRIMARY KEY, name TEXT);', '0002_second': 'CREATE TABLE second (id INTEGER);' }, dir);
    await expect(migrate(url, { migrationsDir: dir })).rejects.toThrow(/^Migration 0001_first was modified after it was applied .*new migration/);
    expect(await tableNames(url)).not.toContain('second');

    // How Prisma leaves a migration that failed half-way: started, never finished, not rolled back.
    migrationsFolder({ '0001_first': 'CREATE TABLE first_table (id INTEGER PRIMARY KEY);' }, dir);
    await withConnection(url, (raw) =>
      raw.exec(`INSERT INTO _prisma_migrations (id, checksum, migration_name, started_at) VALUES ('half', 'x', '0001_half', CURRENT_TIMESTAMP)`),
    );
    await expect(migrate(url, { migrationsDir: dir })).rejects.toThrow(/^Migration 0001_half is recorded as failed .*delete that row or set its rolled_back_at/);

    await withConnection(url, (raw) => raw.exec(`UPDATE _prisma_migrations SET rolled_back_at = CURRENT_TIMESTAMP WHERE id = 'half'`));
    expect(await migrate(url, { migrationsDir: dir })).toEqual({ applied: ['0002_second'] });
  });

  const concurrentMigrations = Object.fromEntries(
    [1, 2, 3, 4, 5].map((i) => [`000${i}_table${i}`, `CREATE TABLE table${i} (id INTEGER PRIMARY KEY);\n${slowStatement}\nINSERT INTO table${i} (id) VALUES (1);`]),
  );

  async function expectEachAppliedOnce(url: string, runs: string[][]): Promise<void> {
    const names = Object.keys(concurrentMigrations);
    expect(runs.flat().sort()).toEqual(names);
    expect((await history(url)).map((r) => r.migration_name)).toEqual(names);
    for (const i of [1, 2, 3, 4, 5]) {
      expect(await withConnection(url, (raw) => raw.query(`SELECT id FROM table${i}`))).toEqual([{ id: 1 }]);
    }
  }

  it('apply each migration once when several runs start together', async () => {
    const url = await freshUrl();
    const dir = migrationsFolder(concurrentMigrations);
    const runs = await Promise.all([1, 2, 3].map(() => migrate(url, { migrationsDir: dir })));
    await expectEachAppliedOnce(url, runs.map((r) => r.applied));
  });

  it('apply each migration once when several processes start together', async () => {
    const url = await freshUrl();
    const dir = migrationsFolder(concurrentMigrations);
    // Each child loads the runner, says "ready", and migrates when its stdin closes: the
    // runs then start within a few milliseconds of each other, not a process start apart.
    const script = `const { migrate } = await import(process.argv[1]);
      process.stdout.write('ready\\n');
      process.stdin.resume();
      await new Promise((resolve) => process.stdin.on('end', resolve));
      const { applied } = await migrate(process.argv[2], { migrationsDir: process.argv[3] });
      process.stdout.write(JSON.stringify(applied));`;
    const children = [1, 2, 3].map(() => {
      const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, join(projectRoot, 'src', 'db', 'migrate.ts'), url, dir], {
        cwd: projectRoot,
      });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const ready = new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          if (stdout.startsWith('ready\n')) resolve();
        });
        child.on('close', (code) => reject(new Error(`migrate process exited with ${code} before it was ready: ${stderr}`)));
      });
      const applied = new Promise<string[]>((resolve, reject) => {
        child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout.slice('ready\n'.length)) as string[]) : reject(new Error(`migrate process failed: ${stderr}`))));
      });
      return { child, ready, applied };
    });
    await Promise.all(children.map((c) => c.ready));
    for (const { child } of children) child.stdin.end();
    await expectEachAppliedOnce(url, await Promise.all(children.map((c) => c.applied)));
  });

  sqliteOnly('keep the rows that reference a table Prisma rebuilds (SQLite)', async () => {
    const url = await freshUrl();
    const dir = migrationsFolder({
      '0001_tables': `CREATE TABLE "parent" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT NOT NULL);
CREATE TABLE "child" ("id" INTEGER NOT NULL PRIMARY KEY, "parent_id" INTEGER NOT NULL,
  CONSTRAINT "child_parent_id_fkey" FOREIGN KEY ("parent_id") REFERENCES "parent" ("id") ON DELETE CASCADE ON UPDATE CASCADE);
INSERT INTO "parent" VALUES (1, 'a'), (2, 'b');
INSERT INTO "child" VALUES (10, 1), (20, 2);`,
    });
    await migrate(url, { migrationsDir: dir });
    // What `prisma migrate diff` emits for a changed column default on SQLite; its
    // DROP TABLE cascades to "child" unless foreign keys are off.
    const rebuild = (keep: string) => `-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_parent" ("id" INTEGER NOT NULL PRIMARY KEY, "name" TEXT NOT NULL DEFAULT 'x');
INSERT INTO "new_parent" ("id", "name") SELECT "id", "name" FROM "parent" WHERE ${keep};
DROP TABLE "parent";
ALTER TABLE "new_parent" RENAME TO "parent";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
`;
    // A rebuild that loses a referenced row is refused before commit.
    migrationsFolder({ '0002_rebuild': rebuild('"id" = 1') }, dir);
    await expect(migrate(url, { migrationsDir: dir })).rejects.toThrow(/^Migration 0002_rebuild failed: FOREIGN KEY check failed: rows of child reference missing rows of parent$/);

    migrationsFolder({ '0002_rebuild': rebuild('1 = 1') }, dir);
    expect(await migrate(url, { migrationsDir: dir })).toEqual({ applied: ['0002_rebuild'] });
    await withConnection(url, async (raw) => {
      expect(await raw.query('SELECT id, parent_id FROM child ORDER BY id')).toEqual([
        { id: 10, parent_id: 1 },
        { id: 20, parent_id: 2 },
      ]);
      expect(await raw.query('SELECT dflt_value FROM pragma_table_info(?) WHERE name = ?', ['parent', 'name'])).toEqual([{ dflt_value: "'x'" }]);
    });
  });

  it('20261206000000_lending_cascade keeps the borrowings and their ids, and makes deleting a friend or belonging cascade', async () => {
    const { url, apply } = await beforeMigration(
      '20261206000000_lending_cascade',
      `INSERT INTO auth_user (id, username, password) VALUES (1, 'alice', 'x');
INSERT INTO lending_friend (id, name, owner_id) VALUES (1, 'Ann', 1), (2, 'Ben', 1);
INSERT INTO lending_belonging (id, name, owner_id) VALUES (1, 'Drill', 1), (2, 'Book', 1);
INSERT INTO lending_borrowing (what_id, to_who_id, owner_id) VALUES (1, 1, 1), (2, 2, 1), (2, 1, 1);
DELETE FROM lending_borrowing WHERE id = 3;`,
    );
    await apply();
    await withConnection(url, async (raw) => {
      const borrowings = 'SELECT id, what_id, to_who_id FROM lending_borrowing ORDER BY id';
      expect(await raw.query(borrowings)).toEqual([
        { id: 1, what_id: 1, to_who_id: 1 },
        { id: 2, what_id: 2, to_who_id: 2 },
      ]);
      // The id of the borrowing deleted before the migration is not handed out again.
      await raw.exec('INSERT INTO lending_borrowing (what_id, to_who_id, owner_id) VALUES (1, 2, 1)');
      expect((await raw.query(borrowings)).map((r) => r.id)).toEqual([1, 2, 4]);
      if (testProvider === 'sqlite') await raw.exec('PRAGMA foreign_keys = ON');
      await raw.exec('DELETE FROM lending_friend WHERE id = 1');
      expect(await raw.query(borrowings)).toEqual([
        { id: 2, what_id: 2, to_who_id: 2 },
        { id: 4, what_id: 1, to_who_id: 2 },
      ]);
      await raw.exec('DELETE FROM lending_belonging WHERE id = 2');
      expect(await raw.query(borrowings)).toEqual([{ id: 4, what_id: 1, to_who_id: 2 }]);
    });
  });

  postgresOnly('20261208000000_search_copy_tables copies the titles of existing posts, and keeps them from then on (PostgreSQL)', async () => {
    const { url, apply } = await beforeMigration(
      '20261208000000_search_copy_tables',
      `INSERT INTO auth_user (id, username, password) VALUES (1, 'alice', 'x');
INSERT INTO posts_post (id, title, body, owner_id, updated_at) VALUES (1, 'Django ς', 'straße', 1, now()), (2, 'flask', 'body', 1, now());
INSERT INTO transactions_transaction (id, amount_cents, description, user_id) VALUES (1, 100, 'Rent é', 1);`,
    );
    await apply();
    await withConnection(url, async (raw) => {
      const copies = `SELECT 'title' AS c, id, value FROM posts_post_title_upper UNION ALL SELECT 'body', id, body_upper FROM posts_post
        UNION ALL SELECT 'description', id, description_upper FROM transactions_transaction ORDER BY c, id`;
      expect(await raw.query(copies)).toEqual([
        { c: 'body', id: 1, value: 'STRAßE' },
        { c: 'body', id: 2, value: 'BODY' },
        { c: 'description', id: 1, value: 'RENT É' },
        { c: 'title', id: 1, value: 'DJANGO Σ' },
        { c: 'title', id: 2, value: 'FLASK' },
      ]);
      await raw.exec(`UPDATE posts_post SET title = 'Rails' WHERE id = 2; DELETE FROM posts_post WHERE id = 1;
UPDATE transactions_transaction SET description = 'Gym' WHERE id = 1;`);
      expect(await raw.query(copies)).toEqual([
        { c: 'body', id: 2, value: 'BODY' },
        { c: 'description', id: 1, value: 'GYM' },
        { c: 'title', id: 2, value: 'RAILS' },
      ]);
    });
  });

  sqliteOnly('leave nothing for the Prisma CLI to apply (`prisma migrate status` and `deploy`, SQLite)', async () => {
    const url = await freshUrl();
    await migrate(url);
    // The project's prisma.config.ts points at a fixed database; this one points at ours.
    const dir = mkdtempSync(join(tmpdir(), 'prisma-config-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const adapter = pathToFileURL(createRequire(import.meta.url).resolve('@prisma/adapter-better-sqlite3')).href;
    writeFileSync(
      join(dir, 'prisma.config.mjs'),
      `import { PrismaBetterSQLite3 } from ${JSON.stringify(adapter)};
export default {
  schema: ${JSON.stringify(schemaPath)},
  experimental: { adapter: true },
  engine: 'js',
  migrations: { path: ${JSON.stringify(migrationsDirectory('sqlite'))} },
  adapter: async () => new PrismaBetterSQLite3({ url: ${JSON.stringify(url)} }),
};
`,
    );
    const prisma = (command: string) =>
      run(process.execPath, [join(projectRoot, 'node_modules', 'prisma', 'build', 'index.js'), 'migrate', command, '--config', join(dir, 'prisma.config.mjs')], {
        cwd: dir,
        // As prisma.config.ts does: with no client generator, the CLI would otherwise fetch a query engine.
        env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1', PRISMA_CLIENT_ENGINE_TYPE: 'client' },
      });
    const before = await history(url);
    expect((await prisma('status')).stdout).toContain('Database schema is up to date!');
    expect((await prisma('deploy')).stdout).toContain('No pending migrations to apply.');
    expect(await history(url)).toEqual(before);
  });
});
