// Each of the server's statements is planned once, for any values: SQLite plans a prepared
// statement once; PostgreSQL does too on our connections (plan_cache_mode = force_generic_plan,
// src/db/index.ts). That one plan must suit every value: a list's page walks the ordering index
// (on PostgreSQL its size is in the SQL, so the planner knows it is small), a search of 3+
// characters takes its candidates from the pg_trgm index, and a shorter one, which that index
// could only answer by reading all of itself, scans.
import Sqlite from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sqlitePath } from '../../src/db/index.js';
import { all, type Condition } from '../../src/rest/data/index.js';
import { createTestDatabase, testProvider, type TestDatabase } from '../support/databases.js';
import { describeWithDatabase } from '../support/suite.js';

describeWithDatabase(`one plan per statement (${testProvider})`, () => {
  let db: TestDatabase;
  const sent: string[] = [];
  beforeAll(async () => {
    db = await createTestDatabase({ onQuery: (text) => sent.push(text) });
    const { id } = await db.kysely.insertInto('auth_user').values({ username: 'u', password: 'x', date_joined: new Date() }).returning('id').executeTakeFirstOrThrow();
    const words = ['django', 'flask', 'rails', 'express', 'spring', 'phoenix', 'laravel', 'gin'];
    const posts = Array.from({ length: 5000 }, (_, i) => ({
      title: `${words[i % words.length]} notes ${i}`,
      body: `about ${words[(i * 7) % words.length]} and more text ${i}`,
      owner_id: id,
      created_at: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
      updated_at: new Date(),
    }));
    for (let i = 0; i < posts.length; i += 1000) await db.kysely.insertInto('posts_post').values(posts.slice(i, i + 1000)).execute();
  });
  afterAll(() => db?.destroy());

  const search = (term: string): Condition<'title' | 'body'> => ({ op: 'icontains', fields: ['title', 'body'], term });

  /**
   * The plan of the statement that read this page's rows (the last one sent), for any values:
   * the search pattern in every text parameter, 0 in the others (the offset).
   */
  async function planOf(where: Condition<'title' | 'body'>, pattern = ''): Promise<string> {
    const posts = db.table({
      table: 'posts_post',
      columns: ['id', 'title', 'body', 'created_at'],
      relations: { owner: { table: 'auth_user', column: 'owner_id' } },
      joined: { owner_username: 'owner.username' },
      upperCopies: { body: 'body_upper' },
      upperCopyTables: { title: 'posts_post_title_upper' },
      rowCounts: true,
      orderIndexes: [['created_at', 'id']],
    });
    sent.splice(0);
    const { rows } = await posts.page(where, [{ field: 'created_at', descending: true }, { field: 'id', descending: true }], 0, 10);
    expect(rows.length).toBeGreaterThan(0);
    const statement = sent.at(-1)!;
    if (testProvider === 'sqlite') {
      const other = new Sqlite(sqlitePath(db.url), { readonly: true });
      try {
        const parameters = statement.match(/\?/g)?.length ?? 0;
        const plan = other.prepare(`EXPLAIN QUERY PLAN ${statement}`).all(...Array.from({ length: parameters - 1 }, () => pattern), 0) as { detail: string }[];
        return plan.map((row) => row.detail).join('\n');
      } finally {
        other.close();
      }
    }
    const parameters = statement.match(/\$\d+/g)!.length;
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('ANALYZE posts_post');
      await client.query('SET plan_cache_mode = force_generic_plan');
      await client.query(`PREPARE page AS ${statement}`);
      // EXECUTE takes no bind parameters: the values are written in (the test's own patterns, no
      // quotes), by the type PostgreSQL gave each: text a pattern, numbers (offset, sizes) 0.
      const { rows: prepared } = await client.query(`SELECT parameter_types::text[] AS types FROM pg_prepared_statements WHERE name = 'page'`);
      const types = prepared[0].types as string[];
      expect(types).toHaveLength(parameters);
      const values = types.map((type) => (type === 'text' ? `'${pattern}'` : '0'));
      const { rows: plan } = await client.query(`EXPLAIN EXECUTE page(${values.join(', ')})`);
      return plan.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
    } finally {
      await client.end();
    }
  }

  it("plans a list's page as steps along the ordering index, whatever the offset", async () => {
    const page = await planOf(all);
    if (testProvider === 'sqlite') {
      // The page's ids from the index alone, the outer loop; each row then found by its id.
      expect(page).toMatch(/SCAN t USING COVERING INDEX posts_post_created_at_id_idx/);
      expect(page).toMatch(/SEARCH t USING INTEGER PRIMARY KEY/);
    } else {
      expect(page).toMatch(/Index (Only )?Scan Backward using posts_post_created_at_id_idx/);
      expect(page).not.toMatch(/Seq Scan on posts_post|Hash Join/);
    }
  });

  if (testProvider === 'postgresql') {
    it('runs every statement with force_generic_plan', async () => {
      const { rows } = await sql<{ plan_cache_mode: string }>`SHOW plan_cache_mode`.execute(db.kysely);
      expect(rows[0]!.plan_cache_mode).toBe('force_generic_plan');
    });

    it("plans a search by its term's length: the trigram index for 3+ characters, a scan below", async () => {
      // The page walks the ordering index; the count reads the copy tables' trigram indexes.
      const long = await planOf(search('django'), '%django%');
      expect(long).toMatch(/Index Scan Backward using posts_post_created_at_id_idx/);
      expect(long).toMatch(/Bitmap Index Scan on posts_post_title_upper_trgm_idx/);
      // Each candidate's stored UPPER copy compared to the pattern folded once (an InitPlan's $n), nothing folded per row.
      expect(long).toMatch(/Recheck Cond: \(value ~~ \$\d+\)/);
      expect(long).toMatch(/NOT \(hashed SubPlan \d+\)/); // the body's matches tested against the title's, made a hash once
      expect(long).not.toMatch(/Seq Scan/);
      const short = await planOf(search('dj'), '%dj%');
      expect(short).toMatch(/Seq Scan on posts_post_title_upper/);
      expect(short).not.toMatch(/trgm_idx/);
    });
  }
});
