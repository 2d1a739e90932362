// DRF's authentication contract: each scheme looks for its own credentials and
// either returns the user, returns null (not its kind of request: try the next
// scheme), or throws AuthenticationFailed (its credentials, but bad: 401 at once).
import type { SecuritySchemeDocs } from '../openapi/index.js';
import type { RequestContext } from '../views/api-view.js';

/** What the toolkit needs of a user; the accounts app's User satisfies it. */
export interface AuthUser {
  id: number;
  username: string;
  isActive: boolean;
  isStaff: boolean;
  isSuperuser: boolean;
  /** When the password last changed: JWTs issued before that second no longer authenticate. */
  credentialsChangedAt?: Date | null;
}

/** Django's authenticate(): the active user with these credentials, or null, in the same time either way. */
export interface CredentialsChecker {
  checkCredentials(username: string, password: string): Promise<AuthUser | null>;
}

export interface Authentication {
  user: AuthUser;
  auth: unknown;
}

export interface Authenticator {
  authenticate(ctx: RequestContext): Promise<Authentication | null>;
  /** WWW-Authenticate value for 401s; a scheme without one (session) makes DRF answer 403. */
  readonly authenticateHeader?: string;
  /** How the OpenAPI document (and Swagger UI's Authorize) presents its credentials; see openapi.securitySchemes. */
  readonly securityScheme?: SecuritySchemeDocs;
}

/**
 * Splits `Authorization: <keyword> <credential>` the way DRF does. Null when the
 * header is absent or names another scheme; `invalid` explains a malformed one.
 * DRF compares the keyword case-insensitively; SimpleJWT exactly (caseSensitive).
 */
export function authorizationCredential(
  ctx: RequestContext,
  keyword: string,
  { caseSensitive = false }: { caseSensitive?: boolean } = {},
): { credential: string } | { invalid: 'missing' | 'spaces' } | null {
  const header = ctx.req.get('authorization');
  if (!header) return null;
  const parts = header.trim().split(/\s+/);
  const named = caseSensitive ? parts[0] === keyword : parts[0]!.toLowerCase() === keyword.toLowerCase();
  if (!named) return null;
  if (parts.length === 1) return { invalid: 'missing' };
  if (parts.length > 2) return { invalid: 'spaces' };
  return { credential: parts[1]! };
}
