// The two cookies a browser session uses, read and written as Django does:
// `sessionid` (HttpOnly) and `csrftoken` (readable by the page's script), both
// Path=/, SameSite as configured (Lax by default), and Secure when the deployment serves HTTPS.
import type { Request, Response } from 'express';

/** A cookie's value from the request's Cookie header; the first of duplicates (the most specific path). */
export function readCookie(req: Request, name: string): string | undefined {
  for (const pair of (req.get('cookie') ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim() !== name) continue;
    const raw = pair.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

/** Django's CSRF_COOKIE_AGE: the `csrftoken` cookie lasts a year, whatever the session's age. */
export const csrfCookieAge = 31449600;

export type SameSite = 'Lax' | 'Strict' | 'None';

interface CookieOptions {
  httpOnly: boolean;
  secure: boolean;
  sameSite: SameSite;
  /** Seconds. */
  maxAge: number;
}

/**
 * Drops a Set-Cookie the response already carries for this cookie: as Django's response.cookies
 * (keyed by name), the last write wins and a response never sets one cookie twice (a stale
 * session's deletion, then a login's new session).
 */
function unsetCookie(res: Response, name: string): void {
  const current = res.getHeader('Set-Cookie');
  if (current === undefined) return;
  const lines = Array.isArray(current) ? current : [String(current)];
  const kept = lines.filter((line) => !line.startsWith(`${name}=`));
  if (kept.length === lines.length) return;
  if (kept.length === 0) res.removeHeader('Set-Cookie');
  else res.setHeader('Set-Cookie', kept);
}

export function setCookie(res: Response, name: string, value: string, options: CookieOptions): void {
  unsetCookie(res, name);
  res.cookie(name, value, { ...options, maxAge: options.maxAge * 1000, sameSite: options.sameSite.toLowerCase() as Lowercase<SameSite>, path: '/' });
}

/**
 * Django 3.2's delete_cookie, as its session middleware sends it: an empty value that expired in
 * 1970, neither HttpOnly nor (unless SameSite=None, which browsers refuse without it) Secure.
 */
export function deleteCookie(res: Response, name: string, sameSite: SameSite): void {
  unsetCookie(res, name);
  const secure = sameSite === 'None' ? '; Secure' : '';
  res.append('Set-Cookie', `${name}=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; SameSite=${sameSite}${secure}`);
}
