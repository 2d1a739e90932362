// The user store: Django's auth.User and the operations the rest of the server needs.
import type { AuthUser } from '../../rest/authentication/index.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Prisma } from '../../db/index.js';
import type { RequestContext } from '../../rest/views.js';
import type { PasswordHasher } from './passwords.js';
import { blacklistAllRefreshTokensOf } from './token-blacklist.js';

/** Columns loaded to authenticate a request (never the password hash). */
export const authUserSelect = {
  id: true,
  username: true,
  email: true,
  isActive: true,
  isStaff: true,
  isSuperuser: true,
  credentialsChangedAt: true,
} as const;

export type User = AuthUser & { email: string };

/** Every authenticator of this project loads users with authUserSelect, so the request's user is a User. */
export const requestUser = (ctx: RequestContext): User => ctx.requireUser as User;

// Django's User.username: at most 150 characters of letters, digits and @/./+/-/_.
export const usernameMaxLength = 150;
export const usernameMessage = 'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.';
export const isValidUsername = (username: string) => /^[\p{L}\p{N}_.@+-]+$/u.test(username);
export const usernameTaken = 'A user with that username already exists.';

/** AbstractBaseUser.normalize_username: NFKC, so look-alike forms are one username. */
export const normalizeUsername = (username: string) => username.normalize('NFKC');

/** UserManager.normalize_email: the domain is case-insensitive, so it is lowercased. */
export function normalizeEmail(email: string): string {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  return at === -1 ? trimmed : `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`;
}

export interface NewUser {
  username: string;
  /** null: an unusable password (Django's createsuperuser without one). */
  password: string | null;
  email?: string;
  isStaff?: boolean;
  isSuperuser?: boolean;
  isActive?: boolean;
}

/** The username exists already (a concurrent registration won the unique index). */
export class UsernameTaken extends Error {
  constructor() {
    super(usernameTaken);
  }
}

export class Users {
  constructor(
    private readonly prisma: Prisma,
    private readonly hasher: PasswordHasher,
  ) {}

  byId(id: number): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { id }, select: authUserSelect });
  }

  byUsername(username: string): Promise<User | null> {
    return this.prisma.user.findUnique({ where: { username }, select: authUserSelect });
  }

  /** Whether the username, once normalized as create() stores it, is taken. */
  async usernameExists(username: string): Promise<boolean> {
    return (await this.prisma.user.count({ where: { username: normalizeUsername(username) } })) > 0;
  }

  /** Every user, by id (what staff may list). */
  all(): Promise<User[]> {
    return this.prisma.user.findMany({ select: authUserSelect, orderBy: { id: 'asc' } });
  }

  /**
   * Django's authenticate() with ModelBackend. An unknown username costs one hash check as a
   * known one does, so timing tells nothing; an inactive user's password is checked, then refused.
   */
  async checkCredentials(username: string, password: string): Promise<User | null> {
    const row = await this.prisma.user.findUnique({ where: { username }, select: { ...authUserSelect, password: true } });
    if (!row) return this.hasher.verifyNothing(password).then(() => null);
    const { password: encoded, ...user } = row;
    if (!(await this.verifyAndUpgrade(user.id, password, encoded))) return null;
    return user.isActive ? user : null;
  }

  /** User.check_password for a known user (Djoser's current_password). */
  async checkPassword(id: number, password: string): Promise<boolean> {
    const row = await this.prisma.user.findUnique({ where: { id }, select: { password: true } });
    return row !== null && this.verifyAndUpgrade(id, password, row.password);
  }

  /**
   * The password check of both logins and check_password: a match re-makes, in the same request, a
   * hash made by another hasher or with another cost (Django's must_update), as a Django user base's do.
   */
  private async verifyAndUpgrade(id: number, password: string, encoded: string): Promise<boolean> {
    if (!(await this.hasher.verify(password, encoded))) return false;
    if (this.hasher.needsUpgrade(encoded)) {
      await this.prisma.user.update({ where: { id }, data: { password: await this.hasher.hash(password) }, select: { id: true } });
    }
    return true;
  }

  /** UserManager.create_user: username and email normalized, password hashed. Throws UsernameTaken. */
  async create(user: NewUser): Promise<User> {
    const { password, ...fields } = user;
    const data = {
      ...fields,
      username: normalizeUsername(fields.username),
      email: normalizeEmail(fields.email ?? ''),
      password: password === null ? this.hasher.unusable() : await this.hasher.hash(password),
    };
    try {
      return await this.prisma.user.create({ data, select: authUserSelect });
    } catch (error) {
      if (isUniqueViolation(error)) throw new UsernameTaken();
      throw error;
    }
  }

  updateEmail(id: number, email: string): Promise<User> {
    return this.prisma.user.update({ where: { id }, data: { email: normalizeEmail(email) }, select: authUserSelect });
  }

  /** Django's update_last_login, on logins that start a session or a Djoser token. */
  async recordLogin(id: number): Promise<void> {
    await this.prisma.user.update({ where: { id }, data: { lastLogin: new Date() }, select: { id: true } });
  }

  /**
   * set_password, and every credential issued before is revoked: DRF tokens and sessions are
   * deleted, refresh tokens blacklisted, and access tokens refused (credentialsChangedAt).
   */
  async setPassword(id: number, password: string): Promise<void> {
    const encoded = await this.hasher.hash(password);
    await this.prisma.$transaction([
      this.prisma.user.update({ where: { id }, data: { password: encoded, credentialsChangedAt: new Date() }, select: { id: true } }),
      this.prisma.authToken.deleteMany({ where: { userId: id } }),
      this.prisma.session.deleteMany({ where: { userId: id } }),
    ]);
    await blacklistAllRefreshTokensOf(this.prisma, id);
  }

  /** Deletes the user; their tokens and sessions go with them (cascade), refresh tokens then name no one. */
  async delete(id: number): Promise<void> {
    await this.prisma.user.delete({ where: { id } });
  }
}
