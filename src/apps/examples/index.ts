// The tutorials' example views, each with its own authentication and permissions
// (DRF's per-view authentication_classes / permission_classes).
import { z } from 'zod';
import type { Authenticator } from '../../rest/authentication/index.js';
import { IsAdminUser, IsAuthenticated } from '../../rest/permissions/index.js';
import type { ViewSpec } from '../../rest/views/api-view.js';
import { requestUser } from '../accounts/users.js';

const dashboard = z.object({ message: z.string() }).meta({ id: 'Dashboard' });
const profile = z.object({ username: z.string(), email: z.string() }).meta({ id: 'Profile' });
const adminOnly = z.object({ secret_data: z.string() }).meta({ id: 'AdminOnly' });

export function exampleViews(authentication: { session: Authenticator; token: Authenticator }): [string, ViewSpec][] {
  return [
    [
      '/api/dashboard/',
      {
        name: 'Dashboard',
        description: 'Session authentication only: an anonymous caller gets 403 (the session scheme has no WWW-Authenticate).',
        authenticators: [authentication.session],
        permissions: [IsAuthenticated],
        handlers: {
          GET: (ctx) => ({
            body: { message: `Hello ${ctx.requireUser.username}, welcome to your dashboard` } satisfies z.output<typeof dashboard>,
          }),
        },
        docs: { GET: { responses: { 200: dashboard } } },
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
            return { body: { username, email } satisfies z.output<typeof profile> };
          },
        },
        docs: { GET: { responses: { 200: profile } } },
      },
    ],
    [
      '/api/admin-only/',
      {
        name: 'Admin Only',
        description: 'Token authentication; staff users only.',
        authenticators: [authentication.token],
        permissions: [IsAuthenticated, IsAdminUser],
        handlers: { GET: () => ({ body: { secret_data: 'This is only visible to admin users.' } satisfies z.output<typeof adminOnly> }) },
        docs: { GET: { responses: { 200: adminOnly } } },
      },
    ],
  ];
}
