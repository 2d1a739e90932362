// Django's database session backend on Prisma, keyed by the session key's digest.
import type { Prisma } from '../../db/index.js';
import type { SessionStore } from '../../rest/authentication/session.js';
import { authUserSelect } from './users.js';

export function sessionStore(prisma: Prisma): SessionStore {
  return {
    async create({ digest, userId, expiresAt }) {
      await prisma.session.create({ data: { digest, userId, expiresAt }, select: { digest: true } });
    },
    find(digest) {
      return prisma.session.findUnique({ where: { digest }, select: { digest: true, expiresAt: true, user: { select: authUserSelect } } });
    },
    async delete(digest) {
      await prisma.session.deleteMany({ where: { digest } });
    },
    async deleteExpired() {
      return (await prisma.session.deleteMany({ where: { expiresAt: { lte: new Date() } } })).count;
    },
  };
}
