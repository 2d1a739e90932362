// ?search= with a trigram index gives exactly icontains' answer: SQLite's FTS5 candidates
// rechecked by LIKE (or counted by the index alone where that is exact), its pages walked in
// order, and PostgreSQL's pg_trgm GIN indexes over UPPER copies, the title's in a narrow table
// (counted from the copies alone, pages walked in order), against a plain scan (UPPER per row), for many
// random terms and pairs of terms (fixed seed) over text full of LIKE's special
// characters, mixed case, and the characters FTS5 folds to ASCII letters where LIKE does not
// (U+017F long s, U+212A Kelvin sign).
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { all, type Condition } from '../../src/rest/data/index.js';
import { createTestDatabase, testProvider, type TestDatabase } from '../support/databases.js';
import { describeWithDatabase } from '../support/suite.js';

/** mulberry32: a small seeded PRNG, so every run tries the same terms. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const alphabet = ['a', 'b', 'A', 'B', 'c', '%', '_', '\\', 'é', 'É', 'x', 'y', '"', "'", 'ab', 'Dj', 'ango', 's', 'K', '\u017f', '\u212a'];

/** The posts app's search indexes: SQLite's FTS5 table, PostgreSQL's trigram-indexed UPPER copies (the title's in a table of its own). */
const searchIndexes = {
  searchIndex: { table: 'posts_post_fts', columns: ['title', 'body'] },
  upperCopies: { body: 'body_upper' },
  upperCopyTables: { title: 'posts_post_title_upper' },
  // Pages in id order are walked first (the primary key keeps that order).
  orderIndexes: [['id']],
} as const;

describeWithDatabase('search with a trigram index', () => {
  let db: TestDatabase;
  const random = prng(20261201);
  const text = (length: number) => Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  beforeAll(async () => {
    db = await createTestDatabase();
    const { id } = await db.kysely.insertInto('auth_user').values({ username: 'u', password: 'x', date_joined: new Date() }).returning('id').executeTakeFirstOrThrow();
    const now = new Date();
    const posts = Array.from({ length: 300 }, () => ({ title: text(1 + Math.floor(random() * 8)), body: text(Math.floor(random() * 20)), owner_id: id, created_at: now, updated_at: now }));
    await db.kysely.insertInto('posts_post').values(posts).execute();
    // Edits and deletes go through the index's triggers too.
    await db.kysely.updateTable('posts_post').set({ title: 'edited Django' }).where('id', '<=', 10).execute();
    await db.kysely.deleteFrom('posts_post').where('id', '>', 290).execute();
  });
  afterAll(() => db.destroy());

  it('answers as a scan does, for terms short and long', async () => {
    const definition = { table: 'posts_post', columns: ['id', 'title', 'body'] } as const;
    // PostgreSQL: the indexed table compares the stored UPPER copies; the scanned one folds each row.
    const indexed = db.table({ ...definition, ...searchIndexes });
    const scanned = db.table(definition);
    const order = [{ field: 'id', descending: false } as const];
    const ids = async (table: typeof indexed, where: Condition<'title' | 'body'>) => (await table.page(where, order, 0, 1000)).rows.map((r) => r.id);
    const terms = [...Array.from({ length: 150 }, () => text(1 + Math.floor(random() * 4))), 'django', 'DJANGO', 'edited', 'ass', 'kab', '%', '_', '\\'];
    const page = async (table: typeof indexed, where: Condition<'title' | 'body'>, offset: number) => {
      const { count, rows } = await table.page(where, order, offset, 3);
      return { count, ids: rows.map((r) => r.id) };
    };
    let nonEmpty = 0;
    for (const term of terms) {
      const where: Condition<'title' | 'body'> = { op: 'icontains', fields: ['title', 'body'], term };
      const expected = await ids(scanned, where);
      expect(await ids(indexed, where), term).toEqual(expected);
      expect(await indexed.count(where), term).toBe(expected.length);
      // Past the end too: its count cannot ride on a row.
      for (const offset of [0, 3, expected.length]) {
        expect(await page(indexed, where, offset), term).toEqual({ count: expected.length, ids: expected.slice(offset, offset + 3) });
      }
      if (testProvider === 'postgresql') expect(await forcedIndex(term), term).toEqual(expected);
      if (expected.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(50); // the terms do find rows
    expect(await indexed.count(all)).toBe(290);

    // Several terms (every one must match), and a search with another condition (counted from the table).
    let pairsFound = 0;
    for (let i = 0; i < 60; i++) {
      const search = (term: string): Condition<'title' | 'body'> => ({ op: 'icontains', fields: ['title', 'body'], term });
      const pair: Condition<'title' | 'body'> = { op: 'and', conditions: [search(terms[i]!), search(terms[(i * 7 + 3) % terms.length]!)] };
      const filtered: Condition<'title' | 'body' | 'id'> = { op: 'and', conditions: [search(terms[i]!), { op: 'gt', field: 'id', value: 100 }] };
      for (const where of [pair, filtered] as Condition<'title' | 'body'>[]) {
        const expected = await ids(scanned, where);
        expect(await indexed.count(where), terms[i]).toBe(expected.length);
        for (const offset of [0, 3]) expect(await page(indexed, where, offset), terms[i]).toEqual({ count: expected.length, ids: expected.slice(offset, offset + 3) });
        if (where === pair && expected.length > 0) pairsFound++;
      }
    }
    expect(pairsFound).toBeGreaterThan(5);
  });

  it("folds case as Django's icontains does on each database: UPPER() on PostgreSQL, ASCII only on SQLite", async () => {
    const [{ owner_id }] = await db.kysely.selectFrom('posts_post').select('owner_id').limit(1).execute();
    const now = new Date();
    const { id } = await db.kysely
      .insertInto('posts_post')
      .values({ title: 'ὁ λόγος', body: 'ſtar', owner_id, created_at: now, updated_at: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const table = db.table({ table: 'posts_post', columns: ['id', 'title', 'body'], ...searchIndexes });
    const found = async (term: string) => (await table.page({ op: 'icontains', fields: ['title', 'body'], term }, [{ field: 'id', descending: false }], 0, 10)).rows.some((r) => r.id === id);
    // Django: UPPER("title"::text) LIKE UPPER('%λόγοσ%') on PostgreSQL (σ and ς are both Σ upper-cased); LIKE on SQLite.
    for (const term of ['λόγοσ', 'ΛΌΓΟΣ', 'star', 'STAR']) expect(await found(term), term).toBe(testProvider === 'postgresql');
    expect(await found('λόγος')).toBe(true);
    await db.kysely.deleteFrom('posts_post').where('id', '=', id).execute();
  });

  if (testProvider === 'postgresql') {
    it('keeps the copy table equal to UPPER(title) through every kind of write', async () => {
      /** Rows whose copy is missing, left over or not UPPER(title). */
      const strays = async (executor: typeof db.kysely) => {
        const { rows } = await sql<{ n: string }>`
          SELECT COUNT(*) AS n FROM posts_post p FULL JOIN posts_post_title_upper c ON c.id = p.id WHERE c.value IS DISTINCT FROM UPPER(p.title)`.execute(executor);
        return Number(rows[0]!.n);
      };
      await sql`UPDATE posts_post SET body = body || 'ß' WHERE id % 5 = 0`.execute(db.kysely);
      await sql`UPDATE posts_post SET id = id + 1000, title = 'moved' WHERE id BETWEEN 20 AND 25`.execute(db.kysely);
      await sql`UPDATE posts_post SET title = title WHERE id < 50`.execute(db.kysely);
      await sql`INSERT INTO posts_post (title, body, owner_id, created_at, updated_at) SELECT title, body, owner_id, created_at, updated_at FROM posts_post WHERE id < 40`.execute(db.kysely);
      await sql`DELETE FROM posts_post WHERE id % 7 = 0`.execute(db.kysely);
      expect(await strays(db.kysely)).toBe(0);
      const { rows } = await sql<{ n: string }>`SELECT COUNT(*) AS n FROM posts_post_title_upper`.execute(db.kysely);
      expect(Number(rows[0]!.n)).toBeGreaterThan(250);
      // TRUNCATE empties them too (then rolled back).
      const rollBack = new Error('roll back');
      const truncated = db.kysely.transaction().execute(async (trx) => {
        await sql`TRUNCATE posts_post`.execute(trx);
        const { rows: left } = await sql<{ n: string }>`SELECT COUNT(*) AS n FROM posts_post_title_upper`.execute(trx);
        expect(Number(left[0]!.n)).toBe(0);
        throw rollBack;
      });
      await expect(truncated).rejects.toBe(rollBack);
      expect(await strays(db.kysely)).toBe(0);
    });
  }

  /** PostgreSQL: the same LIKE with sequential scans off, so the GIN index answers. */
  async function forcedIndex(term: string): Promise<number[]> {
    return db.kysely.transaction().execute(async (trx) => {
      await sql`SET LOCAL enable_seqscan = off`.execute(trx);
      const pattern = `%${term.replace(/[\\%_]/g, '\\$&')}%`;
      const { rows } = await sql<{ id: number }>`SELECT id FROM posts_post_title_upper WHERE value LIKE UPPER(${pattern}) UNION SELECT id FROM posts_post WHERE body_upper LIKE UPPER(${pattern}) ORDER BY id`.execute(trx);
      return rows.map((r) => r.id);
    });
  }
});
