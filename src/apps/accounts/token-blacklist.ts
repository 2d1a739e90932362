// SimpleJWT's token_blacklist app on Prisma: OutstandingToken + BlacklistedToken.
import { insertOnce, isUniqueViolation } from '../../db/errors.js';
import type { Prisma } from '../../db/index.js';
import type { IssuedToken, RefreshTokenRegistry } from '../../rest/authentication/jwt.js';

export function refreshTokenRegistry(prisma: Prisma): RefreshTokenRegistry {
  return {
    async recordIssued({ jti, userId, expiresAt }) {
      await prisma.outstandingToken.create({ data: { jti, userId, expiresAt } });
    },
    async isBlacklisted(jti) {
      return (await prisma.blacklistedToken.count({ where: { token: { jti } } })) > 0;
    },
    async blacklist({ jti, userId, expiresAt }: IssuedToken) {
      const outstanding = await prisma.outstandingToken.upsert({
        where: { jti },
        create: { jti, userId, expiresAt },
        update: {},
        select: { id: true },
      });
      // The unique token_id makes the insert the atomic claim: a second blacklisting is refused.
      return insertOnce(() => prisma.blacklistedToken.create({ data: { tokenId: outstanding.id }, select: { id: true } }));
    },
  };
}

/** Blacklists every refresh token of the user that is still usable (on a password change). */
export async function blacklistAllRefreshTokensOf(prisma: Prisma, userId: number): Promise<void> {
  // A concurrent refresh may blacklist one of them between the read and the insert (unique
  // violation): read again, the next pass leaves that one out.
  for (;;) {
    const tokens = await prisma.outstandingToken.findMany({
      where: { userId, blacklisted: null, expiresAt: { gt: new Date() } },
      select: { id: true },
    });
    if (tokens.length === 0) return;
    try {
      await prisma.blacklistedToken.createMany({ data: tokens.map((token) => ({ tokenId: token.id })) });
      return;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
}
