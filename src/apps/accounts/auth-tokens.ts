// DRF's authtoken table on Prisma: one row per issued token, keyed by the key's digest.
import type { Prisma } from '../../db/index.js';
import type { TokenStore } from '../../rest/authentication/token.js';
import { authUserSelect } from './users.js';

export function authTokenStore(prisma: Prisma): TokenStore {
  return {
    async create({ digest, userId }) {
      await prisma.authToken.create({ data: { digest, userId }, select: { digest: true } });
    },
    find(digest) {
      return prisma.authToken.findUnique({ where: { digest }, select: { digest: true, createdAt: true, user: { select: authUserSelect } } });
    },
    async delete(digest) {
      await prisma.authToken.deleteMany({ where: { digest } });
    },
    async deleteAllOf(userId) {
      await prisma.authToken.deleteMany({ where: { userId } });
    },
    async deleteExpired(cutoff) {
      return (await prisma.authToken.deleteMany({ where: { createdAt: { lte: cutoff } } })).count;
    },
  };
}
