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

export type SameSite = 'Lax' | 'Strict' | 'None';

interface CookieOptions {
  httpOnly: boolean;
  secure: boolean;
  sameSite: SameSite;
  /** Seconds. */
  maxAge: number;
}

export function setCookie(res: Response, name: string, value: string, options: CookieOptions): void {
  res.cookie(name, value, { ...options, maxAge: options.maxAge * 1000, sameSite: options.sameSite.toLowerCase() as Lowercase<SameSite>, path: '/' });
}

/** Django's delete_cookie: an empty value that expired in 1970. */
export function deleteCookie(res: Response, name: string, options: Omit<CookieOptions, 'maxAge'>): void {
  res.clearCookie(name, { ...options, sameSite: options.sameSite.toLowerCase() as Lowercase<SameSite>, path: '/' });
}
