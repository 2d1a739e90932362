// DRF's authtoken table: one row per issued token, keyed by the key's digest.
import type { Database } from '../../db/index.js';
import { eq } from '../../rest/data/index.js';
import type { TokenStore } from '../../rest/authentication/token.js';
import { joinedUser, userOf } from './users.js';

export function authTokenStore(db: Database): TokenStore {
  // Read on every token-authenticated request: a statement compiled once, the user joined.
  const tokens = db.table({
    table: 'authtoken_token',
    columns: ['digest', 'created_at'],
    relations: { user: { table: 'auth_user', column: 'user_id' } },
    joined: joinedUser,
  });
  return {
    async create({ digest, userId }) {
      await db.kysely.insertInto('authtoken_token').values({ digest, user_id: userId, created_at: new Date() }).execute();
    },
    async find(digest) {
      const row = await tokens.find(eq('digest', digest));
      return row && { digest: row.digest, createdAt: row.created_at, user: userOf(row) };
    },
    async delete(digest) {
      await db.kysely.deleteFrom('authtoken_token').where('digest', '=', digest).execute();
    },
    async deleteAllOf(userId) {
      await db.kysely.deleteFrom('authtoken_token').where('user_id', '=', userId).execute();
    },
    async deleteExpired(cutoff) {
      const { numDeletedRows } = await db.kysely.deleteFrom('authtoken_token').where('created_at', '<=', cutoff).executeTakeFirst();
      return Number(numDeletedRows);
    },
  };
}
