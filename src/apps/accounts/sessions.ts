// Django's database session backend, keyed by the session key's digest.
import type { Database } from '../../db/index.js';
import { eq } from '../../rest/data/index.js';
import type { SessionStore } from '../../rest/authentication/session.js';
import { joinedUser, userOf } from './users.js';

export function sessionStore(db: Database): SessionStore {
  // Read on every session-authenticated request: a statement compiled once, the user joined.
  const sessions = db.table({
    table: 'django_session',
    columns: ['digest', 'expires_at'],
    relations: { user: { table: 'auth_user', column: 'user_id' } },
    joined: joinedUser,
  });
  return {
    async create({ digest, userId, expiresAt }) {
      await db.kysely.insertInto('django_session').values({ digest, user_id: userId, expires_at: expiresAt }).execute();
    },
    async find(digest) {
      const row = await sessions.find(eq('digest', digest));
      return row && { digest: row.digest, expiresAt: row.expires_at, user: userOf(row) };
    },
    async delete(digest) {
      await db.kysely.deleteFrom('django_session').where('digest', '=', digest).execute();
    },
    async deleteExpired() {
      const { numDeletedRows } = await db.kysely.deleteFrom('django_session').where('expires_at', '<=', new Date()).executeTakeFirst();
      return Number(numDeletedRows);
    },
  };
}
