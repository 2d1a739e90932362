// The user store: Django's auth.User and the operations the rest of the server needs.
import type { AuthUser } from '../../rest/authentication/index.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Database } from '../../db/index.js';
import { all, eq, type Ordering } from '../../rest/data/index.js';
import type { RequestContext } from '../../rest/views/api-view.js';
import type { PasswordHasher } from './passwords.js';
import { blacklistAllRefreshTokensOf } from './token-blacklist.js';

/** The user's columns loaded to authenticate a request (never the password hash), by the names of User. */
const authUserColumns = {
  id: 'id',
  username: 'username',
  email: 'email',
  isActive: 'is_active',
  isStaff: 'is_staff',
  isSuperuser: 'is_superuser',
  credentialsChangedAt: 'credentials_changed_at',
} as const;

/** authUserColumns of the `user` relation, joined to a row under `${prefix}${name}` aliases. */
type JoinedUser<Prefix extends string> = {
  [Name in keyof typeof authUserColumns as `${Prefix}${Name}`]: `user.${(typeof authUserColumns)[Name]}`;
};
function joinedUserColumns<Prefix extends string>(prefix: Prefix): JoinedUser<Prefix> {
  return Object.fromEntries(Object.entries(authUserColumns).map(([name, column]) => [`${prefix}${name}`, `user.${column}`])) as JoinedUser<Prefix>;
}

/** The user's columns joined to a row that belongs to a user (token, session). */
export const joinedUser = joinedUserColumns('user_');

/** The User of a row with `joinedUser`'s columns. */
export function userOf(row: { [Name in keyof JoinedUser<'user_'>]: unknown }): User {
  return Object.fromEntries(Object.keys(authUserColumns).map((name) => [name, row[`user_${name}` as keyof JoinedUser<'user_'>]])) as unknown as User;
}

/** authUserColumns for Kysely's select(). */
const userSelection = [
  'id',
  'username',
  'email',
  'is_active as isActive',
  'is_staff as isStaff',
  'is_superuser as isSuperuser',
  'credentials_changed_at as credentialsChangedAt',
] as const;

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
  /** Looked up on every authenticated request: a statement compiled once. */
  private readonly table;

  constructor(
    private readonly db: Database,
    private readonly hasher: PasswordHasher,
  ) {
    this.table = db.table({
      table: 'auth_user',
      columns: [],
      relations: { user: { table: 'auth_user', column: 'id' } },
      joined: joinedUserColumns(''),
    });
  }

  byId(id: number): Promise<User | null> {
    return this.table.find(eq('id', id));
  }

  byUsername(username: string): Promise<User | null> {
    return this.table.find(eq('username', username));
  }

  /** Whether the username, once normalized as create() stores it, is taken. */
  async usernameExists(username: string): Promise<boolean> {
    return (await this.table.count(eq('username', normalizeUsername(username)))) > 0;
  }

  /** One page of every user (what staff may list), with the count of all users; only the page's rows are read. */
  page(orderBy: readonly Ordering<'email' | 'id' | 'username'>[], skip: number, take: number): Promise<{ count: number; rows: User[] }> {
    return this.table.page(all, orderBy, skip, take);
  }

  /** How many users there are (the count of page()). */
  count(): Promise<number> {
    return this.table.count(all);
  }

  /**
   * Django's authenticate() with ModelBackend. An unknown username costs one hash check as a
   * known one does, so timing tells nothing; an inactive user's password is checked, then refused.
   */
  async checkCredentials(username: string, password: string): Promise<User | null> {
    const row = await this.db.kysely.selectFrom('auth_user').select([...userSelection, 'password']).where('username', '=', username).executeTakeFirst();
    if (!row) return this.hasher.verifyNothing(password).then(() => null);
    const { password: encoded, ...user } = row;
    if (!(await this.verifyAndUpgrade(user.id, password, encoded))) return null;
    return user.isActive ? user : null;
  }

  /** User.check_password for a known user (Djoser's current_password). */
  async checkPassword(id: number, password: string): Promise<boolean> {
    const row = await this.db.kysely.selectFrom('auth_user').select('password').where('id', '=', id).executeTakeFirst();
    return row !== undefined && this.verifyAndUpgrade(id, password, row.password);
  }

  /**
   * The password check of both logins and check_password: a match re-makes, in the same request, a
   * hash made by another hasher or with another cost (Django's must_update), as a Django user base's do.
   */
  private async verifyAndUpgrade(id: number, password: string, encoded: string): Promise<boolean> {
    if (!(await this.hasher.verify(password, encoded))) return false;
    if (this.hasher.needsUpgrade(encoded)) {
      await this.db.kysely.updateTable('auth_user').set({ password: await this.hasher.hash(password) }).where('id', '=', id).execute();
    }
    return true;
  }

  /** UserManager.create_user: username and email normalized, password hashed. Throws UsernameTaken. */
  async create(user: NewUser): Promise<User> {
    const { password, isStaff = false, isSuperuser = false, isActive = true } = user;
    const data = {
      username: normalizeUsername(user.username),
      email: normalizeEmail(user.email ?? ''),
      password: password === null ? this.hasher.unusable() : await this.hasher.hash(password),
      is_staff: isStaff,
      is_superuser: isSuperuser,
      is_active: isActive,
      date_joined: new Date(),
    };
    try {
      return await this.db.kysely.insertInto('auth_user').values(data).returning(userSelection).executeTakeFirstOrThrow();
    } catch (error) {
      if (isUniqueViolation(error)) throw new UsernameTaken();
      throw error;
    }
  }

  /**
   * Djoser's set_username: the username is stored as given (its setattr and save(), unlike
   * create_user, do not normalize it; logins compare it as stored). Throws UsernameTaken.
   */
  async setUsername(id: number, username: string): Promise<void> {
    try {
      await this.db.kysely.updateTable('auth_user').set({ username }).where('id', '=', id).execute();
    } catch (error) {
      if (isUniqueViolation(error)) throw new UsernameTaken();
      throw error;
    }
  }

  /**
   * Djoser's UserSerializer.update: the email is stored as the serializer validated it (trimmed);
   * only create_user runs normalize_email, so the domain keeps its case here.
   */
  updateEmail(id: number, email: string): Promise<User> {
    return this.db.kysely
      .updateTable('auth_user')
      .set({ email })
      .where('id', '=', id)
      .returning(userSelection)
      .executeTakeFirstOrThrow();
  }

  /** Django's update_last_login, on logins that start a session or a Djoser token. */
  async recordLogin(id: number): Promise<void> {
    await this.db.kysely.updateTable('auth_user').set({ last_login: new Date() }).where('id', '=', id).execute();
  }

  /**
   * set_password, and every credential issued before is revoked: DRF tokens and sessions are
   * deleted, refresh tokens blacklisted, and access tokens refused (credentialsChangedAt).
   */
  async setPassword(id: number, password: string): Promise<void> {
    const encoded = await this.hasher.hash(password);
    await this.db.kysely.transaction().execute(async (trx) => {
      await trx.updateTable('auth_user').set({ password: encoded, credentials_changed_at: new Date() }).where('id', '=', id).execute();
      await trx.deleteFrom('authtoken_token').where('user_id', '=', id).execute();
      await trx.deleteFrom('django_session').where('user_id', '=', id).execute();
    });
    await blacklistAllRefreshTokensOf(this.db, id);
  }

  /** Deletes the user; their tokens and sessions go with them (cascade), refresh tokens then name no one. */
  async delete(id: number): Promise<void> {
    await this.db.kysely.deleteFrom('auth_user').where('id', '=', id).execute();
  }
}
