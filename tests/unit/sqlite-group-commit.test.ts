// SQLite's group commit (src/db/drivers.ts, SqliteConnection.writeNow): writes outside
// transactions that reach the connection in one turn of the event loop are committed by one
// transaction, each answered with its own result or error, and only once the commit is done.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Sqlite from 'better-sqlite3';
import { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteConnection, sqliteDialect } from '../../src/db/drivers.js';
import { DatabaseUnavailable } from '../../src/rest/data/index.js';
import { syncEveryCommit } from '../../src/db/index.js';

describe('SQLite group commit', () => {
  let folder: string;
  let path: string;
  let statements: string[];
  let connection: SqliteConnection;
  let other: Sqlite.Database;

  const insert = (name: string) =>
    connection.runAlone('INSERT INTO item (name) VALUES (?) RETURNING id, name', [name]).then((result) => result.rows[0]);
  const names = () => (other.prepare('SELECT name FROM item ORDER BY id').pluck().all() as string[]);

  beforeEach(() => {
    folder = mkdtempSync(join(tmpdir(), 'group-commit-'));
    path = join(folder, 'db.sqlite3');
    const setup = new Sqlite(path);
    setup.pragma('journal_mode = WAL');
    setup.exec('CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
    setup.close();
    statements = [];
    connection = new SqliteConnection(syncEveryCommit(new Sqlite(path, { timeout: 0 })), 5000, (sql) => statements.push(sql));
    other = new Sqlite(path, { timeout: 0 });
  });

  afterEach(() => {
    connection.db.close();
    other.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('commits the writes of one turn together, each answered with its own row', async () => {
    const written = await Promise.all([insert('a'), insert('b'), insert('c')]);
    expect(written).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
      { id: 3, name: 'c' },
    ]);
    expect(statements).toEqual(['BEGIN IMMEDIATE', ...Array(3).fill(expect.stringMatching(/^INSERT/)), 'COMMIT']);
    expect(names()).toEqual(['a', 'b', 'c']);
  });

  it('runs a lone write by itself, and reads at once', async () => {
    const read = connection.runAlone('SELECT COUNT(*) AS n FROM item', []);
    expect(statements).toEqual(['SELECT COUNT(*) AS n FROM item']);
    await read;
    expect(await insert('alone')).toEqual({ id: 1, name: 'alone' });
    expect(statements.slice(1)).toEqual([expect.stringMatching(/^INSERT/)]);
  });

  it('fails a write refused by a constraint alone, keeping the others', async () => {
    other.exec("INSERT INTO item (name) VALUES ('taken')");
    const outcomes = await Promise.allSettled([insert('first'), insert('taken'), insert('last')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    expect(names()).toEqual(['taken', 'first', 'last']);
  });

  it('answers only once the commit is done, after waiting for another connection to release the lock', async () => {
    other.exec('BEGIN IMMEDIATE');
    let answered = 0;
    const writes = Promise.all([insert('a'), insert('b')].map((write) => write.then(() => answered++)));
    await expect.poll(() => statements.filter((sql) => sql === 'BEGIN IMMEDIATE').length).toBeGreaterThan(1);
    expect(answered).toBe(0);
    other.exec('ROLLBACK');
    await writes;
    expect(answered).toBe(2);
    expect(names()).toEqual(['a', 'b']);
  });

  it("waits for the connection's own transaction to end", async () => {
    const kysely = new Kysely<Record<string, never>>({ dialect: sqliteDialect(connection) });
    let finish!: () => void;
    const transaction = kysely.transaction().execute(async () => {
      await new Promise<void>((resolve) => (finish = resolve));
    });
    await expect.poll(() => statements).toContain('BEGIN IMMEDIATE');
    const writes = Promise.all([insert('a'), insert('b')]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(statements.filter((sql) => sql.startsWith('INSERT'))).toEqual([]);
    finish();
    await transaction;
    expect(await writes).toEqual([
      { id: 1, name: 'a' },
      { id: 2, name: 'b' },
    ]);
    expect(statements).toEqual(['BEGIN IMMEDIATE', 'COMMIT', 'BEGIN IMMEDIATE', expect.stringMatching(/^INSERT/), expect.stringMatching(/^INSERT/), 'COMMIT']);
  });

  it('fails alone a write refused for want of space, keeping the others', async () => {
    await insert('seed');
    connection.db.pragma(`max_page_count = ${connection.db.pragma('page_count', { simple: true }) as number}`);
    const outcomes = await Promise.allSettled([insert('small'), insert('x'.repeat(100_000)), insert('after')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(DatabaseUnavailable);
    expect(names()).toEqual(['seed', 'small', 'after']);
  });

  it('runs the others again when a write makes SQLite roll the whole transaction back', async () => {
    other.exec("CREATE TRIGGER refuse BEFORE INSERT ON item WHEN NEW.name = 'refused' BEGIN SELECT RAISE(ROLLBACK, 'refused'); END");
    const outcomes = await Promise.allSettled([insert('a'), insert('refused'), insert('b')]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ message: 'refused' });
    expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : undefined))).toEqual([{ id: 1, name: 'a' }, undefined, { id: 2, name: 'b' }]);
    expect(names()).toEqual(['a', 'b']);
    expect(statements.filter((sql) => !sql.startsWith('INSERT'))).toEqual(['BEGIN IMMEDIATE', 'BEGIN IMMEDIATE', 'COMMIT']);
  });
});
