// Django model permissions on the resources MODEL_PERMISSIONS names: DRF's method mapping,
// grants to users and through groups, superusers, and revocation on the very next request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PermissionAdmin } from '../../src/apps/accounts/permissions.js';
import { createTestApp, uniqueName, type TestApp } from '../support/app.js';
import { describeWithDatabase } from '../support/suite.js';

const denied = { detail: 'You do not have permission to perform this action.' };
const anonymous = { detail: 'Authentication credentials were not provided.' };

describeWithDatabase('model permissions', () => {
  describe('DRF 3.14 mapping (MODEL_PERMISSIONS=lending.belonging,posts.post)', () => {
    let t: TestApp;
    let admin: PermissionAdmin;
    beforeAll(async () => {
      t = await createTestApp({ modelPermissions: { models: ['lending.belonging', 'posts.post'], requireView: false } });
      admin = new PermissionAdmin(t.db);
    });
    afterAll(() => t?.close());

    async function client(fields: { isSuperuser?: boolean } = {}) {
      const user = await t.createUser(fields);
      return { user, auth: await t.bearer(user) };
    }

    /** A belonging of the user, written past the API (they may lack add_belonging). */
    const belongingOf = (user: { id: number }) => t.db.kysely.insertInto('lending_belonging').values({ name: 'Drill', owner_id: user.id }).returning('id').executeTakeFirstOrThrow();

    it('DjangoModelPermissions: reads need nothing, each write its own permission; anonymous users get 401', async () => {
      const { user, auth } = await client();
      const { id } = await belongingOf(user);
      const url = `/api/belongings/${id}/`;
      expect((await t.http.get('/api/belongings/').set(auth)).status).toBe(200);
      expect((await t.http.get(url).set(auth)).status).toBe(200);
      expect((await t.http.head(url).set(auth)).status).toBe(200);
      expect((await t.http.options(url).set(auth)).status).toBe(200);
      const writes = () => [
        t.http.post('/api/belongings/').set(auth).send({ name: 'Saw' }),
        t.http.put(url).set(auth).send({ name: 'Big drill' }),
        t.http.patch(url).set(auth).send({ name: 'Bigger drill' }),
        t.http.delete(url).set(auth),
      ];
      for (const response of await Promise.all(writes())) {
        expect(response.status, response.request.method).toBe(403);
        expect(response.body).toEqual(denied);
      }
      for (const response of [await t.http.get('/api/belongings/'), await t.http.post('/api/belongings/').send({ name: 'x' })]) {
        expect(response.status).toBe(401);
        expect(response.body).toEqual(anonymous);
      }

      await admin.grant({ user: user.username }, ['lending.add_belonging']);
      expect((await t.http.post('/api/belongings/').set(auth).send({ name: 'Saw' })).status).toBe(201);
      expect((await t.http.put(url).set(auth).send({ name: 'Big drill' })).status).toBe(403);
      await admin.grant({ user: user.username }, ['lending.change_belonging']);
      expect((await t.http.put(url).set(auth).send({ name: 'Big drill' })).status).toBe(200);
      expect((await t.http.patch(url).set(auth).send({ name: 'Bigger drill' })).status).toBe(200);
      expect((await t.http.delete(url).set(auth)).status).toBe(403);
      await admin.grant({ user: user.username }, ['lending.delete_belonging']);
      expect((await t.http.delete(url).set(auth)).status).toBe(204);
    });

    it('permissions of another model, or for another action, do not count', async () => {
      const { user, auth } = await client();
      await admin.grant({ user: user.username }, ['lending.add_friend', 'lending.change_belonging', 'posts.add_post']);
      expect((await t.http.post('/api/belongings/').set(auth).send({ name: 'Saw' })).status).toBe(403);
    });

    it('models not named in MODEL_PERMISSIONS keep their own rules only', async () => {
      const { auth } = await client();
      expect((await t.http.post('/api/friends/').set(auth).send({ name: 'Ann' })).status).toBe(201);
      expect((await t.http.post('/api/transactions/').set(auth).send({ amount: '1.00', description: 'x' })).status).toBe(201);
    });

    it('a revoked permission stops working on the next request, with the same token', async () => {
      const { user, auth } = await client();
      await admin.grant({ user: user.username }, ['lending.add_belonging']);
      expect((await t.http.post('/api/belongings/').set(auth).send({ name: 'One' })).status).toBe(201);
      await admin.revoke({ user: user.username }, ['lending.add_belonging']);
      const response = await t.http.post('/api/belongings/').set(auth).send({ name: 'Two' });
      expect(response.status).toBe(403);
      expect(response.body).toEqual(denied);
    });

    it('group members hold the group\'s permissions, until the grant or the membership goes', async () => {
      const { user, auth } = await client();
      const group = uniqueName('lenders');
      await admin.createGroup(group);
      await admin.grant({ group }, ['lending.add_belonging']);
      const post = () => t.http.post('/api/belongings/').set(auth).send({ name: 'Saw' });
      expect((await post()).status).toBe(403);
      await admin.addToGroup(user.username, group);
      expect((await post()).status).toBe(201);
      await admin.revoke({ group }, ['lending.add_belonging']);
      expect((await post()).status).toBe(403);
      await admin.grant({ group }, ['lending.add_belonging']);
      expect((await post()).status).toBe(201);
      await admin.removeFromGroup(user.username, group);
      expect((await post()).status).toBe(403);
      // A direct grant and a group grant of the same permission: revoking one leaves the other.
      await admin.addToGroup(user.username, group);
      await admin.grant({ user: user.username }, ['lending.add_belonging']);
      await admin.revoke({ user: user.username }, ['lending.add_belonging']);
      expect((await post()).status).toBe(201);
    });

    it('superusers pass without any grant', async () => {
      const { user, auth } = await client({ isSuperuser: true });
      const { id } = await belongingOf(user);
      expect((await t.http.post('/api/belongings/').set(auth).send({ name: 'Saw' })).status).toBe(201);
      expect((await t.http.patch(`/api/belongings/${id}/`).set(auth).send({ name: 'x' })).status).toBe(200);
      expect((await t.http.delete(`/api/belongings/${id}/`).set(auth)).status).toBe(204);
    });

    it('the object rules still apply: a permission never opens another user\'s belongings', async () => {
      const owner = await client();
      const { user, auth } = await client();
      await admin.grant({ user: user.username }, ['lending.change_belonging', 'lending.delete_belonging']);
      const { id } = await belongingOf(owner.user);
      expect((await t.http.patch(`/api/belongings/${id}/`).set(auth).send({ name: 'mine now' })).status).toBe(404);
      expect((await t.http.delete(`/api/belongings/${id}/`).set(auth)).status).toBe(404);
    });

    it('DjangoModelPermissionsOrAnonReadOnly on posts: anonymous users read; writes need the permission', async () => {
      const { user, auth } = await client();
      expect((await t.http.get('/api/posts/')).status).toBe(200);
      expect((await t.http.head('/api/posts/')).status).toBe(200);
      const anonymousWrite = await t.http.post('/api/posts/').send({ title: 't', body: 'b' });
      expect(anonymousWrite.status).toBe(401);
      expect(anonymousWrite.body).toEqual(anonymous);
      expect(anonymousWrite.headers['www-authenticate']).toBe('Bearer realm="api"');
      const refused = await t.http.post('/api/posts/').set(auth).send({ title: 't', body: 'b' });
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual(denied);

      await admin.grant({ user: user.username }, ['posts.add_post']);
      const created = await t.http.post('/api/posts/').set(auth).send({ title: 't', body: 'b' });
      expect(created.status).toBe(201);
      const url = `/api/posts/${created.body.id}/`;
      expect((await t.http.get(url)).status).toBe(200);
      expect((await t.http.patch(url).set(auth).send({ title: 'u' })).status).toBe(403);
      expect((await t.http.delete(url).set(auth)).status).toBe(403);
      await admin.grant({ user: user.username }, ['posts.change_post', 'posts.delete_post']);
      expect((await t.http.patch(url).set(auth).send({ title: 'u' })).status).toBe(200);
      expect((await t.http.delete(url).set(auth)).status).toBe(204);
    });

    it('loads a user\'s permissions with one query, and only when a request needs them', async () => {
      const { user, auth } = await client();
      await admin.grant({ user: user.username }, ['lending.add_belonging']);
      const group = uniqueName('many');
      await admin.createGroup(group);
      await admin.grant({ group }, ['lending.change_belonging', 'lending.delete_belonging']);
      await admin.addToGroup(user.username, group);
      t.queries.reset();
      expect((await t.http.get('/api/belongings/').set(auth)).status).toBe(200);
      expect(t.queries.count).toBe(3); // user, rows, count (an empty page carries no count): reads need no permission
      t.queries.reset();
      const { body } = await t.http.post('/api/belongings/').set(auth).send({ name: 'Saw' });
      expect(t.queries.count).toBe(3); // user, permissions, insert
      t.queries.reset();
      expect((await t.http.patch(`/api/belongings/${body.id}/`).set(auth).send({ name: 'Jigsaw' })).status).toBe(200);
      expect(t.queries.count).toBe(4); // user, permissions (direct and through the group), object, update
    });
  });

  describe('view permissions required (MODEL_PERMISSIONS_REQUIRE_VIEW=true)', () => {
    let t: TestApp;
    let admin: PermissionAdmin;
    beforeAll(async () => {
      t = await createTestApp({ modelPermissions: { models: ['lending.belonging', 'posts.post'], requireView: true } });
      admin = new PermissionAdmin(t.db);
    });
    afterAll(() => t?.close());

    it('GET and HEAD need view_<model>; OPTIONS needs nothing; anonymous users no longer read', async () => {
      const user = await t.createUser();
      const auth = await t.bearer(user);
      const { id } = await t.db.kysely.insertInto('lending_belonging').values({ name: 'Drill', owner_id: user.id }).returning('id').executeTakeFirstOrThrow();
      for (const response of [
        await t.http.get('/api/belongings/').set(auth),
        await t.http.get(`/api/belongings/${id}/`).set(auth),
        await t.http.head('/api/belongings/').set(auth),
        await t.http.get('/api/posts/').set(auth),
      ]) {
        expect(response.status, response.request.url).toBe(403);
      }
      expect((await t.http.options('/api/belongings/').set(auth)).status).toBe(200);
      expect((await t.http.get('/api/posts/')).status).toBe(401);

      await admin.grant({ user: user.username }, ['lending.view_belonging']);
      expect((await t.http.get('/api/belongings/').set(auth)).body.count).toBe(1);
      expect((await t.http.get(`/api/belongings/${id}/`).set(auth)).status).toBe(200);
      expect((await t.http.head('/api/belongings/').set(auth)).status).toBe(200);
      expect((await t.http.post('/api/belongings/').set(auth).send({ name: 'Saw' })).status).toBe(403);
    });
  });
});
