// The query layer's value conventions (src/db/index.ts): rows read the same on both
// databases, and SQLite keeps the DateTime text Prisma's adapter has always written.
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
    // Prisma Client reads what Kysely wrote, and the other way round.
    const viaPrisma = await db.prisma.user.findUniqueOrThrow({ where: { id } });
    expect(viaPrisma.dateJoined).toEqual(joined);
    expect(viaPrisma.isStaff).toBe(true);
    const written = await db.prisma.user.create({ data: { username: 'bob', password: 'x', lastLogin: joined } });
    const read = await db.kysely.selectFrom('auth_user').select(['last_login', 'date_joined', 'is_active']).where('id', '=', written.id).executeTakeFirstOrThrow();
    expect(read).toEqual({ last_login: joined, date_joined: written.dateJoined, is_active: true });
  });

  it('stores a DateTime as Prisma always has: ISO text with +00:00 on SQLite, the UTC wall clock on PostgreSQL', async () => {
    const when = new Date('2026-11-30T04:50:07.343Z');
    await db.kysely.updateTable('auth_user').set({ last_login: when }).where('username', '=', 'ada').execute();
    const { rows } = await sql<{ text: string }>`SELECT CAST(last_login AS TEXT) AS text FROM auth_user WHERE username = 'ada'`.execute(db.kysely);
    expect(rows[0]!.text).toBe(testProvider === 'sqlite' ? '2026-11-30T04:50:07.343+00:00' : '2026-11-30 04:50:07.343');
  });
});
