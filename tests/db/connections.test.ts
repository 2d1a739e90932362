// What the server's connections are set to. A 201 means the row is on disk, as with Django: SQLite
// syncs every commit (synchronous=FULL, Python's default; better-sqlite3's build would give NORMAL,
// under which the last commits of a WAL database roll back after a power loss), in WAL mode so
// that readers do not wait for a writer; PostgreSQL commits synchronously.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/index.js';
import { createTestDatabase, testProvider, type TestDatabase } from '../support/databases.js';
import { describeWithDatabase } from '../support/suite.js';

describeWithDatabase(`the server's connections (${testProvider})`, () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.destroy());

  it('sync every commit to disk', async () => {
    if (testProvider === 'sqlite') {
      const synchronous = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(db.kysely);
      expect(synchronous.rows[0]!.synchronous).toBe(2); // FULL
      const journal = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(db.kysely);
      expect(journal.rows[0]!.journal_mode).toBe('wal');
    } else {
      const { rows } = await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(db.kysely);
      expect(rows[0]!.synchronous_commit).toBe('on');
    }
  });

  if (testProvider === 'postgresql') {
    it("plan each statement once, keeping the URL's own startup options", async () => {
      const url = new URL(db.url);
      url.searchParams.set('options', '-c work_mem=5MB');
      const other = openDatabase(url.toString());
      try {
        const settings = await sql<{ name: string; setting: string }>`SELECT name, setting FROM pg_settings WHERE name IN ('plan_cache_mode', 'work_mem') ORDER BY name`.execute(other.kysely);
        expect(settings.rows).toEqual([
          { name: 'plan_cache_mode', setting: 'force_generic_plan' },
          { name: 'work_mem', setting: '5120' },
        ]);
      } finally {
        await other.close();
      }
    });
  }
});
