// The group and permission commands on the database of a running app: what they print,
// their exit codes, and their effect on the next request. Most run in this process
// (main() of manage.ts); one runs as its own process, as an administrator would run it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/app.js';
import { manage, manageInProcess } from '../support/cli.js';
import { testProvider } from '../support/databases.js';
import { describeWithDatabase } from '../support/suite.js';

describeWithDatabase(`manage: groups and permissions (${testProvider})`, () => {
  let t: TestApp;
  const run = (...args: string[]) => manageInProcess(args, t.db.url);
  const ok = (stdout: string) => ({ code: 0, stdout, stderr: '' });
  beforeAll(async () => {
    t = await createTestApp({ modelPermissions: { models: ['lending.belonging'], requireView: false } });
  });
  afterAll(() => t?.close());

  it('grants through a group and directly; each change shows on the next request', async () => {
    const alice = await t.createUser({ username: 'cli_alice' });
    const auth = await t.bearer(alice);
    const post = async () => (await t.http.post('/api/belongings/').set(auth).send({ name: 'Saw' })).status;
    expect(await post()).toBe(403);

    expect(await run('creategroup', 'lenders')).toEqual(ok('Created group "lenders".\n'));
    // A separate process, like the administrator's, writes to the database the app reads.
    expect(await manage(['grant', 'group:lenders', 'lending.add_belonging', 'lending.view_belonging'], t.db.url)).toEqual(
      ok('Granted lending.add_belonging to group "lenders".\nGranted lending.view_belonging to group "lenders".\n'),
    );
    expect(await run('addtogroup', 'cli_alice', 'lenders')).toEqual(ok('Added user "cli_alice" to group "lenders".\n'));
    expect(await post()).toBe(201);

    expect(await run('grant', 'cli_alice', 'lending.add_belonging', 'lending.change_friend')).toEqual(
      ok('Granted lending.add_belonging to user "cli_alice".\nGranted lending.change_friend to user "cli_alice".\n'),
    );
    expect(await run('listperms', 'cli_alice')).toEqual(
      ok(
        'lending.add_belonging (directly and through group "lenders")\n' +
          'lending.change_friend\n' +
          'lending.view_belonging (through group "lenders")\n',
      ),
    );
    expect(await run('listperms', 'group:lenders')).toEqual(ok('lending.add_belonging\nlending.view_belonging\n'));

    expect(await run('removefromgroup', 'cli_alice', 'lenders')).toEqual(ok('Removed user "cli_alice" from group "lenders".\n'));
    expect(await post()).toBe(201); // still granted directly
    expect(await run('revoke', 'cli_alice', 'lending.add_belonging', 'lending.delete_belonging')).toEqual(
      ok('Revoked lending.add_belonging from user "cli_alice".\nNothing to revoke: user "cli_alice" was not granted lending.delete_belonging.\n'),
    );
    expect(await post()).toBe(403);
  });

  it('says so when there is nothing to change', async () => {
    await t.createUser({ username: 'cli_bob' });
    await run('creategroup', 'repeaters');
    await run('addtogroup', 'cli_bob', 'repeaters');
    await run('grant', 'cli_bob', 'posts.add_post');
    expect(await run('addtogroup', 'cli_bob', 'repeaters')).toEqual(ok('User "cli_bob" is already in group "repeaters".\n'));
    expect(await run('grant', 'cli_bob', 'posts.add_post')).toEqual(ok('User "cli_bob" already has posts.add_post.\n'));
    await run('removefromgroup', 'cli_bob', 'repeaters');
    expect(await run('removefromgroup', 'cli_bob', 'repeaters')).toEqual(ok('User "cli_bob" is not in group "repeaters".\n'));
    expect(await run('listperms', 'group:repeaters')).toEqual(ok('Group "repeaters" has no permissions.\n'));
  });

  it('refuses unknown users, groups and permissions with one line and exit code 1, changing nothing', async () => {
    await t.createUser({ username: 'cli_carol' });
    const failure = (message: string) => ({ code: 1, stdout: '', stderr: `Error: ${message}\n` });
    expect(await run('grant', 'cli_nobody', 'lending.add_friend')).toEqual(failure('User "cli_nobody" does not exist.'));
    expect(await run('revoke', 'group:nogroup', 'lending.add_friend')).toEqual(failure('Group "nogroup" does not exist.'));
    expect(await run('addtogroup', 'cli_carol', 'nogroup')).toEqual(failure('Group "nogroup" does not exist.'));
    const unknown = await run('grant', 'cli_carol', 'lending.add_friend', 'lending.add_frend');
    expect(unknown).toEqual(failure('Unknown permission "lending.add_frend" (npm run manage -- listperms lists them).'));
    expect(await run('grant', 'cli_carol', 'auth.add_token')).toEqual(
      failure('Unknown permission "auth.add_token" (npm run manage -- listperms lists them).'),
    );
    expect(await run('listperms', 'cli_carol')).toEqual(ok('User "cli_carol" has no permissions.\n'));
    await run('creategroup', 'taken');
    expect(await run('creategroup', 'taken')).toEqual(failure('Group "taken" already exists.'));
  });

  it('answers wrong arguments with the command\'s usage and exit code 2', async () => {
    const usage = (synopsis: string) => ({ code: 2, stdout: '', stderr: `Usage: npm run manage -- ${synopsis}\n` });
    expect(await run('grant', 'cli_alice')).toEqual(usage('grant <username|group:NAME> <app_label.codename>...'));
    expect(await run('revoke', 'group:', 'posts.add_post')).toEqual(usage('revoke <username|group:NAME> <app_label.codename>...'));
    expect(await run('creategroup')).toEqual(usage('creategroup <name>'));
    expect(await run('addtogroup', 'cli_alice')).toEqual(usage('addtogroup <username> <group>'));
  });

  it('lists every permission, and tells superusers and inactive users apart', async () => {
    const all = await run('listperms');
    expect(all.code).toBe(0);
    const lines = all.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(8 * 4);
    expect(lines).toContain('lending.add_friend               Can add friend');
    expect(lines).toContain('posts.view_post                  Can view post');
    await t.createUser({ username: 'cli_root', isSuperuser: true });
    await t.createUser({ username: 'cli_gone', isActive: false });
    expect(await run('listperms', 'cli_root')).toEqual(ok('User "cli_root" is a superuser: every permission is granted.\n'));
    expect(await run('listperms', 'cli_gone')).toEqual(ok('User "cli_gone" is inactive: no permission is granted.\n'));
  });
});
