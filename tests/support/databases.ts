// Each test file gets its own fresh, migrated database of the kind under test
// (TEST_DATABASE=sqlite|postgresql, set per vitest project), so files run in parallel
// without seeing each other's rows.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase, type Database, type OpenOptions, type Provider, type Tables } from '../../src/db/index.js';
import { migrate } from '../../src/db/migrate.js';

export const testProvider: Provider = process.env.TEST_DATABASE === 'postgresql' ? 'postgresql' : 'sqlite';
export const postgresAdminUrl = process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

/** A database URL that does not exist yet, and a function that removes it. */
export async function blankDatabaseUrl(provider: Provider = testProvider): Promise<{ url: string; drop: () => Promise<void> }> {
  if (provider === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'drf-express-'));
    return { url: `file:${join(dir, 'test.sqlite3')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `drf_express_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(postgresAdminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

async function adminQuery(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: postgresAdminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface TestDatabase extends Database {
  url: string;
  /** Closes the connection and deletes the database. */
  destroy(): Promise<void>;
}

/** A fresh database with every migration applied. */
export async function createTestDatabase(options: OpenOptions = {}): Promise<TestDatabase> {
  const { url, drop } = await blankDatabaseUrl();
  await migrate(url);
  const db = openDatabase(url, options);
  return {
    ...db,
    url,
    destroy: async () => {
      await db.close();
      await drop();
    },
  };
}

/** How many rows of `table` have these column values (all rows when none). */
export async function countRows(db: Database, table: keyof Tables, where: Record<string, unknown> = {}): Promise<number> {
  let query = db.kysely.selectFrom(table).select((eb) => eb.fn.countAll().as('n'));
  for (const [column, value] of Object.entries(where)) {
    query = Array.isArray(value)
      ? query.where(sql.ref(column), 'in', value)
      : query.where(sql.ref(column), '=', value);
  }
  return Number((await query.executeTakeFirstOrThrow()).n);
}
