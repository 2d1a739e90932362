// The tutorials' example views, each with its own authentication and permissions, and
// DRF's 401-or-403 rule: 401 with WWW-Authenticate when the view's first scheme has a
// header (JWT: Bearer, DRF token: Token), 403 when it has none (session).
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../support/app.js';
import { sessionLogin, tokenLogin } from '../support/auth.js';
import { describeWithDatabase } from '../support/suite.js';

const notProvided = { detail: 'Authentication credentials were not provided.' };

describeWithDatabase('example views over HTTP', () => {
  const t = useTestApp();

  describe('GET /api/dashboard/ (session only, IsAuthenticated)', () => {
    it('greets the user of the session', async () => {
      const user = await t.createUser();
      const response = await t.http.get('/api/dashboard/').set('Cookie', (await sessionLogin(t, user)).cookie);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ message: `Hello ${user.username}, welcome to your dashboard` });
    });

    it('answers 403 without a session, with no WWW-Authenticate, whatever other credentials come along', async () => {
      const user = await t.createUser();
      for (const headers of [{}, await t.bearer(user), (await tokenLogin(t, user)).header]) {
        const response = await t.http.get('/api/dashboard').set(headers);
        expect(response.status).toBe(403);
        expect(response.body).toEqual(notProvided);
        expect(response.headers['www-authenticate']).toBeUndefined();
      }
    });
  });

  describe('GET /api/profile/ (DRF token only, IsAuthenticated)', () => {
    it('answers the username and email of the token\'s user', async () => {
      const user = await t.createUser({ email: 'profile@example.com' });
      const response = await t.http.get('/api/profile/').set((await tokenLogin(t, user)).header);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ username: user.username, email: 'profile@example.com' });
    });

    it('answers 401 with WWW-Authenticate: Token to other schemes and to no credentials', async () => {
      const user = await t.createUser();
      for (const [name, value] of [
        ['Authorization', (await t.bearer(user)).Authorization],
        ['Cookie', (await sessionLogin(t, user)).cookie],
        ['X-Nothing', ''],
      ] as const) {
        const response = await t.http.get('/api/profile/').set(name, value);
        expect(response.status).toBe(401);
        expect(response.body).toEqual(notProvided);
        expect(response.headers['www-authenticate']).toBe('Token');
      }
    });

    it('answers a bad token with 401 "Invalid token."', async () => {
      const response = await t.http.get('/api/profile/').set('Authorization', 'Token 0123');
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ detail: 'Invalid token.' });
      expect(response.headers['www-authenticate']).toBe('Token');
    });
  });

  describe('GET /api/admin-only/ (DRF token, IsAuthenticated + IsAdminUser)', () => {
    it('shows the secret to staff users', async () => {
      const admin = await t.createUser({ isStaff: true });
      const response = await t.http.get('/api/admin-only/').set((await tokenLogin(t, admin)).header);
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ secret_data: 'This is only visible to admin users.' });
    });

    it('answers 403 to other users and 401 to anonymous callers', async () => {
      const user = await t.createUser({ isSuperuser: true }); // is_superuser without is_staff is no admin to IsAdminUser
      const denied = await t.http.get('/api/admin-only/').set((await tokenLogin(t, user)).header);
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual({ detail: 'You do not have permission to perform this action.' });
      const anonymous = await t.http.get('/api/admin-only/');
      expect(anonymous.status).toBe(401);
      expect(anonymous.body).toEqual(notProvided);
      expect(anonymous.headers['www-authenticate']).toBe('Token');
    });
  });

  it('the project-wide default is [JWT, Token, Session]: anonymous callers get the Bearer challenge', async () => {
    const response = await t.http.post('/api/posts/').send({ title: 't', body: 'b' });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="api"');
    const user = await t.createUser();
    const session = await sessionLogin(t, user);
    for (const headers of [await t.bearer(user), (await tokenLogin(t, user)).header, { Cookie: session.cookie, 'X-CSRFToken': session.csrftoken }]) {
      expect((await t.http.post('/api/posts/').set(headers).send({ title: 't', body: 'b' })).status).toBe(201);
    }
  });
});
