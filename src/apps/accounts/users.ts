// The user store: Django's auth.User operations the rest of the server needs.
import type { AuthUser } from '../../rest/authentication/index.js';
import type { Prisma } from '../../db/index.js';
import type { PasswordHasher } from './passwords.js';

/** Columns loaded to authenticate a request (never the password hash). */
export const authUserSelect = { id: true, username: true, email: true, isActive: true, isStaff: true, isSuperuser: true } as const;

export type User = AuthUser & { email: string };

export interface NewUser {
  username: string;
  password: string;
  email?: string;
  isStaff?: boolean;
  isSuperuser?: boolean;
  isActive?: boolean;
}

export class Users {
  constructor(
    private readonly prisma: Prisma,
    private readonly hasher: PasswordHasher,
  ) {}

  byId(id: number): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { id }, select: authUserSelect });
  }

  async exists(id: number): Promise<boolean> {
    return (await this.prisma.user.count({ where: { id } })) > 0;
  }

  /** Django's authenticate() with ModelBackend: the password is checked even for inactive users, then refused. */
  async checkCredentials(username: string, password: string): Promise<User | null> {
    const row = await this.prisma.user.findUnique({ where: { username }, select: { ...authUserSelect, password: true } });
    if (!row) return this.hasher.verifyNothing(password).then(() => null);
    const { password: encoded, ...user } = row;
    const valid = await this.hasher.verify(password, encoded);
    return valid && user.isActive ? user : null;
  }

  async create(user: NewUser): Promise<User> {
    const { password, ...fields } = user;
    return this.prisma.user.create({
      data: { ...fields, email: fields.email ?? '', password: await this.hasher.hash(password) },
      select: authUserSelect,
    });
  }
}
