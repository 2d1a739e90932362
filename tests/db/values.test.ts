// The query layer's value conventions (src/db/index.ts): rows read the same on both
// databases, and SQLite keeps the DateTime text Prisma's adapter has always written
// (databases written by earlier versions, through Prisma Client, keep working).
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, testProvider, type TestDatabase } from '../support/databases.js';
import { describeWithDatabase } from '../support/suite.js';

describeWithDatabase('value conventions', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.destroy());

  it('reads back Dates, booleans and bigints, whoever wrote them', async () => {
    const joined = new Date('2026-01-02T03:04:05.678Z');
    const { id } = await db.kysely
      .insertInto('auth_user')
      .values({ username: 'ada', password: 'x', date_joined: joined, is_staff: true, is_active: false })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.kysely
      .insertInto('transactions_transaction')
      .values({ user_id: id, amount_cents: -9_007_199_254n, description: 'd', timestamp: joined })
      .execute();
    const user = await db.kysely.selectFrom('auth_user').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(user).toMatchObject({ date_joined: joined, last_login: null, is_staff: true, is_active: false, is_superuser: false });
    const row = await db.kysely.selectFrom('transactions_transaction').select(['amount_cents', 'timestamp']).executeTakeFirstOrThrow();
    expect(row).toEqual({ amount_cents: -9_007_199_254n, timestamp: joined });
    // Through aliases and joins too (SQLite converts by the columns' declared types).
    const joinedRow = await db.kysely
      .selectFrom('transactions_transaction as t')
      .innerJoin('auth_user as u', 'u.id', 't.user_id')
      .select(['u.date_joined as joinedAt', 'u.is_staff as staff', 't.amount_cents as cents'])
      .executeTakeFirstOrThrow();
    expect(joinedRow).toEqual({ joinedAt: joined, staff: true, cents: -9_007_199_254n });
  });

  it('stores a DateTime as Prisma always has: ISO text with +00:00 on SQLite, the UTC wall clock on PostgreSQL', async () => {
    const when = new Date('2026-11-30T04:50:07.343Z');
    await db.kysely.updateTable('auth_user').set({ last_login: when }).where('username', '=', 'ada').execute();
    const { rows } = await sql<{ text: string }>`SELECT CAST(last_login AS TEXT) AS text FROM auth_user WHERE username = 'ada'`.execute(db.kysely);
    expect(rows[0]!.text).toBe(testProvider === 'sqlite' ? '2026-11-30T04:50:07.343+00:00' : '2026-11-30 04:50:07.343');
  });
});
