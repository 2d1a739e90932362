// Logging in by the DRF token and session schemes in tests, and reading the cookies a
// response sets, as a browser would.
import type request from 'supertest';
import { expect } from 'vitest';
import type { TestApp } from './app.js';

export interface SetCookie {
  value: string;
  /** Attributes as sent (`HttpOnly`, `SameSite=Lax`, `Max-Age=…`), names as written. */
  attributes: string[];
}

/** The cookies a response sets, by name. */
export function setCookies(response: request.Response): Record<string, SetCookie> {
  const raw = response.headers['set-cookie'] as unknown as string[] | undefined;
  return Object.fromEntries(
    (raw ?? []).map((line) => {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const eq = pair!.indexOf('=');
      return [pair!.slice(0, eq), { value: decodeURIComponent(pair!.slice(eq + 1)), attributes }];
    }),
  );
}

export const cookieHeader = (cookies: Record<string, string>) =>
  Object.entries(cookies)
    .map(([name, value]) => `${name}=${value}`)
    .join('; ');

export interface BrowserSession {
  sessionid: string;
  csrftoken: string;
  /** The Cookie header a browser would send. */
  cookie: string;
}

/** POST /api/auth/session/ and the two cookies it sets. */
export async function sessionLogin(t: TestApp, user: { username: string; password: string }): Promise<BrowserSession> {
  const response = await t.http.post('/api/auth/session/').send({ username: user.username, password: user.password });
  expect(response.status).toBe(200);
  const cookies = setCookies(response);
  const sessionid = cookies.sessionid!.value;
  const csrftoken = cookies.csrftoken!.value;
  return { sessionid, csrftoken, cookie: cookieHeader({ sessionid, csrftoken }) };
}

/** POST /auth/token/login/ (Djoser); the `Authorization: Token <key>` header. */
export async function tokenLogin(t: TestApp, user: { username: string; password: string }): Promise<{ key: string; header: { Authorization: string } }> {
  const response = await t.http.post('/auth/token/login/').send({ username: user.username, password: user.password });
  expect(response.status).toBe(200);
  const key = (response.body as { auth_token: string }).auth_token;
  return { key, header: { Authorization: `Token ${key}` } };
}
