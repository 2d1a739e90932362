// The tutorials' example views, each with its own authentication and permissions
// (DRF's per-view authentication_classes / permission_classes).
import type { Authenticator } from '../../rest/authentication/index.js';
import { IsAdminUser, IsAuthenticated } from '../../rest/permissions.js';
import type { ViewSpec } from '../../rest/views.js';
import { requestUser } from '../accounts/users.js';

export function exampleViews(authentication: { session: Authenticator; token: Authenticator }): [string, ViewSpec][] {
  return [
    [
      '/api/dashboard/',
      {
        name: 'Dashboard',
        description: 'Session authentication only: an anonymous caller gets 403 (the session scheme has no WWW-Authenticate).',
        authenticators: [authentication.session],
        permissions: [IsAuthenticated],
        handlers: { GET: (ctx) => ({ body: { message: `Hello ${ctx.requireUser.username}, welcome to your dashboard` } }) },
      },
    ],
    [
      '/api/profile/',
      {
        name: 'Profile',
        description: 'Token authentication only: the caller\'s username and email.',
        authenticators: [authentication.token],
        permissions: [IsAuthenticated],
        handlers: {
          GET: (ctx) => {
            const { username, email } = requestUser(ctx);
            return { body: { username, email } };
          },
        },
      },
    ],
    [
      '/api/admin-only/',
      {
        name: 'Admin Only',
        description: 'Token authentication; staff users only.',
        authenticators: [authentication.token],
        permissions: [IsAuthenticated, IsAdminUser],
        handlers: { GET: () => ({ body: { secret_data: 'This is only visible to admin users.' } }) },
      },
    ],
  ];
}
