// DRF's authentication contract: each scheme looks for its own credentials and
// either returns the user, returns null (not its kind of request: try the next
// scheme), or throws AuthenticationFailed (its credentials, but bad: 401 at once).
import type { RequestContext } from '../types.js';
export type { AuthUser, CredentialsChecker, Authentication, Authenticator } from '../types.js';

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
