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
  // Node keeps only the first of repeated Authorization lines; behind gunicorn, Django sees them
  // all, joined with ',' (`Bearer a,Bearer b`: three values, so a malformed header, never the first).
  // (headersDistinct is built for every header on first use: only read when there is one.)
  const header = ctx.req.headers.authorization === undefined ? undefined : ctx.req.headersDistinct.authorization!.join(',');
  if (!header) return null;
  // DRF splits the header's bytes (Node reads them as Latin-1) at ASCII whitespace only: a
  // non-breaking space (0xA0) stays inside the credential.
  const parts = header.split(/[ \t\n\r\v\f]+/).filter((part) => part !== '');
  if (parts.length === 0) return null;
  const named = caseSensitive ? parts[0] === keyword : parts[0]!.toLowerCase() === keyword.toLowerCase();
  if (!named) return null;
  if (parts.length === 1) return { invalid: 'missing' };
  if (parts.length > 2) return { invalid: 'spaces' };
  return { credential: parts[1]! };
}
