// SimpleJWT's token_blacklist app: OutstandingToken + BlacklistedToken.
import { insertOnce, isUniqueViolation } from '../../db/errors.js';
import type { Database } from '../../db/index.js';
import type { BlacklistedToken, RefreshTokenRegistry } from '../../rest/authentication/jwt/index.js';

export function refreshTokenRegistry(db: Database): RefreshTokenRegistry {
  const { kysely } = db;
  return {
    async recordIssued({ jti, userId, expiresAt }) {
      await kysely.insertInto('token_blacklist_outstandingtoken').values({ jti, user_id: userId, expires_at: expiresAt, created_at: new Date() }).execute();
    },
    async isBlacklisted(jti) {
      const row = await kysely
        .selectFrom('token_blacklist_blacklistedtoken as b')
        .innerJoin('token_blacklist_outstandingtoken as o', 'o.id', 'b.token_id')
        .select('b.id')
        .where('o.jti', '=', jti)
        .executeTakeFirst();
      return row !== undefined;
    },
    async blacklist({ jti, expiresAt }: BlacklistedToken) {
      // A token not recorded yet gets its row without a user, as SimpleJWT's get_or_create: its
      // user_id claim is unchecked here (unknown, or not even a number).
      await insertOnce(() =>
        kysely.insertInto('token_blacklist_outstandingtoken').values({ jti, user_id: null, expires_at: expiresAt, created_at: new Date() }).execute(),
      );
      const outstanding = await kysely.selectFrom('token_blacklist_outstandingtoken').select('id').where('jti', '=', jti).executeTakeFirstOrThrow();
      // The unique token_id makes the insert the atomic claim: a second blacklisting is refused.
      return insertOnce(() =>
        kysely.insertInto('token_blacklist_blacklistedtoken').values({ token_id: outstanding.id, blacklisted_at: new Date() }).execute(),
      );
    },
  };
}

/** Blacklists every refresh token of the user that is still usable (on a password change). */
export async function blacklistAllRefreshTokensOf(db: Database, userId: number): Promise<void> {
  // A concurrent refresh may blacklist one of them between the read and the insert (unique
  // violation): read again, the next pass leaves that one out.
  for (;;) {
    const tokens = await db.kysely
      .selectFrom('token_blacklist_outstandingtoken as o')
      .leftJoin('token_blacklist_blacklistedtoken as b', 'b.token_id', 'o.id')
      .select('o.id')
      .where('o.user_id', '=', userId)
      .where('b.id', 'is', null)
      .where('o.expires_at', '>', new Date())
      .execute();
    if (tokens.length === 0) return;
    try {
      const now = new Date();
      await db.kysely.insertInto('token_blacklist_blacklistedtoken').values(tokens.map((token) => ({ token_id: token.id, blacklisted_at: now }))).execute();
      return;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
}
