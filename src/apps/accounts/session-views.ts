// The SPA's login/logout view: a server-side session in an HttpOnly cookie, plus the
// readable CSRF cookie the page echoes in X-CSRFToken on writes.
import { z } from 'zod';
import { AllowAny } from '../../rest/permissions/index.js';
import type { Authenticator } from '../../rest/authentication/index.js';
import type { SessionService } from '../../rest/authentication/session.js';
import { authTokenRequest, userFromCredentials } from '../../rest/authentication/token.js';
import type { ViewSpec } from '../../rest/views/api-view.js';
import type { Users } from './users.js';

const sessionLogin = z.object({ detail: z.literal('Logged in.'), username: z.string() }).meta({ id: 'SessionLogin' });


export function sessionView(users: Users, sessions: SessionService, sessionAuthentication: Authenticator): ViewSpec {
  return {
    name: 'Session',
    description:
      'POST logs in: sets the HttpOnly `sessionid` cookie and the `csrftoken` cookie to echo in X-CSRFToken on writes. ' +
      'DELETE logs out (needs X-CSRFToken while the session is live; without a session it succeeds all the same) and clears the ' +
      '`sessionid` cookie the request sent; the `csrftoken` cookie stays, as in Django.',
    // A live session makes writes here CSRF-checked too, as in DRF.
    authenticators: [sessionAuthentication],
    permissions: [AllowAny],
    handlers: {
      POST: async (ctx) => {
        const user = await userFromCredentials(ctx, users);
        await sessions.login(ctx, user);
        await users.recordLogin(user.id);
        return { body: { detail: 'Logged in.', username: user.username } satisfies z.output<typeof sessionLogin> };
      },
      // Like Django's logout(), it succeeds with or without a session.
      DELETE: async (ctx) => {
        await sessions.logout(ctx);
        return { status: 204 };
      },
    },
    docs: {
      POST: {
        // The same request body as DRF's obtain_auth_token: username, and the password as typed.
        request: authTokenRequest,
        responses: {
          200: { content: { 'application/json': sessionLogin }, headers: { 'Set-Cookie': 'Sets the `csrftoken` and the `sessionid` (HttpOnly) cookies.' } },
        },
      },
      // Set-Cookie clears `sessionid` only when the request sent one (Django's SessionMiddleware), so it is not a header every answer carries.
      DELETE: { responses: { 204: null } },
    },
  };
}
