// The account commands of `npm run manage` against the test database: createsuperuser
// (flags and environment, or prompts answered through stdin), changepassword and
// create-token, whose printed key then works in the HTTP API. Runs that read stdin or
// prove an end-to-end path are separate processes; the refusals, which only validate
// their arguments, run manage's main() in this process (a process costs about a second).
import { describe, expect, it } from 'vitest';
import { uniqueName, useTestApp } from '../support/app.js';
import { tokenLogin } from '../support/auth.js';
import { manage as manageOn, manageInProcess } from '../support/cli.js';
import { blankDatabaseUrl } from '../support/databases.js';
import { describeWithDatabase } from '../support/suite.js';

describeWithDatabase('account commands', () => {
  const t = useTestApp();

  /** `manage.ts <args>` as its own process on the test database. */
  const manage = (args: string[], options?: { input?: string; env?: Record<string, string> }) => manageOn(args, t.db.url, options);
  /** manage's main() in this process: the same exit code and output as a separate run. */
  const manageHere = (args: string[], env?: Record<string, string>) => manageInProcess(args, t.db.url, env);

  const userNamed = (username: string) =>
    t.db.kysely
      .selectFrom('auth_user')
      .select(['id', 'username', 'email', 'password', 'is_active as isActive', 'is_staff as isStaff', 'is_superuser as isSuperuser'])
      .where('username', '=', username)
      .executeTakeFirst()
      .then((row) => row ?? null);
  const canLogIn = async (username: string, password: string) => (await t.http.post('/api/token/').send({ username, password })).status === 200;

  describe('createsuperuser --no-input', () => {
    it('creates a staff superuser from the flags and DJANGO_SUPERUSER_PASSWORD', async () => {
      const username = uniqueName('admin');
      const outcome = await manage(['createsuperuser', '--no-input', '--username', username, '--email', 'admin@example.com'], {
        env: { DJANGO_SUPERUSER_PASSWORD: 'an admin passphrase' },
      });
      expect(outcome).toEqual({ code: 0, stdout: 'Superuser created successfully.\n', stderr: '' });
      const row = await userNamed(username);
      expect(row).toMatchObject({ email: 'admin@example.com', isStaff: true, isSuperuser: true, isActive: true });
      expect(await canLogIn(username, 'an admin passphrase')).toBe(true);
    });

    it('takes the username and email from DJANGO_SUPERUSER_* too; without a password, the password is unusable', async () => {
      const username = uniqueName('envadmin');
      const outcome = await manageHere(['createsuperuser', '--noinput'], {
        DJANGO_SUPERUSER_USERNAME: username,
        DJANGO_SUPERUSER_EMAIL: 'env@example.com',
        DJANGO_SUPERUSER_PASSWORD: '',
      });
      expect(outcome.code).toBe(0);
      expect(outcome.stdout).toBe(
        'Superuser created successfully.\nDJANGO_SUPERUSER_PASSWORD was not set: the password is unusable until set with changepassword.\n',
      );
      expect((await userNamed(username))!.password).toMatch(/^!/);
      expect(await canLogIn(username, '')).toBe(false);
    });

    it.each<[string, string[], string]>([
      ['no username', ['--email', 'a@example.com'], 'Error: You must use --username with --no-input.\n'],
      ['no email', ['--username', 'lonely'], 'Error: You must use --email with --no-input.\n'],
      ['a bad email', ['--username', 'lonely', '--email', 'nope'], 'Error: Enter a valid email address.\n'],
      ['a bad username', ['--username', 'no spaces', '--email', 'a@example.com'], 'Error: Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.\n'],
    ])('refuses %s with one line and exit code 1', async (_case, flags, stderr) => {
      expect(await manageHere(['createsuperuser', '--no-input', ...flags], { DJANGO_SUPERUSER_PASSWORD: 'an admin passphrase' })).toEqual({
        code: 1,
        stdout: '',
        stderr,
      });
    });

    it('refuses a taken username, and an unknown option (exit code 2), never reading a password from the command line', async () => {
      const existing = await t.createUser();
      expect(await manageHere(['createsuperuser', '--no-input', '--username', existing.username, '--email', 'a@example.com'])).toEqual({
        code: 1,
        stdout: '',
        stderr: 'Error: That username is already taken.\n',
      });
      const outcome = await manageHere(['createsuperuser', '--no-input', '--username', 'x', '--password', 'secret']);
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toMatch(/^Error: createsuperuser: Unknown option '--password'/);
    });
  });

  describe('createsuperuser (prompts)', () => {
    it('asks again after a taken username, mismatched passwords and refused validation; validators apply', async () => {
      const existing = await t.createUser();
      const username = uniqueName('prompted');
      const input = [existing.username, username, 'not-an-email', 'me@example.com', 'first', 'second', '12345678', '12345678', 'n', 'a fine passphrase', 'a fine passphrase'];
      const outcome = await manage(['createsuperuser'], { input: `${input.join('\n')}\n` });
      expect(outcome.code).toBe(0);
      expect(outcome.stderr).toBe(
        [
          'Error: That username is already taken.',
          'Error: Enter a valid email address.',
          "Error: Your passwords didn't match.",
          'This password is too common.',
          'This password is entirely numeric.',
          '',
        ].join('\n'),
      );
      // Piped input is not echoed, so the prompts follow one another on stdout.
      expect(outcome.stdout).toMatch(/^Username \(leave blank to use '[^']*'\): |^Username: /);
      expect(outcome.stdout).toContain('Email address: Email address: Password: Password (again): ');
      expect(outcome.stdout).toContain('Bypass password validation and create user anyway? [y/N]: ');
      expect(outcome.stdout.endsWith('Superuser created successfully.\n')).toBe(true);
      expect(await userNamed(username)).toMatchObject({ email: 'me@example.com', isStaff: true, isSuperuser: true });
      expect(await canLogIn(username, 'a fine passphrase')).toBe(true);
    });

    it('creates the user with a refused password when told to bypass validation; takes --username and --email', async () => {
      const username = uniqueName('bypass');
      const outcome = await manage(['createsuperuser', '--username', username, '--email', ''], { input: 'password\npassword\ny\n' });
      expect(outcome.code).toBe(0);
      expect(outcome.stderr).toBe('This password is too common.\n');
      expect(outcome.stdout).toBe('Password: Password (again): Bypass password validation and create user anyway? [y/N]: Superuser created successfully.\n');
      expect(await canLogIn(username, 'password')).toBe(true);
    });

    it('stops with "Operation cancelled." when input ends, creating nothing', async () => {
      const username = uniqueName('cancelled');
      const outcome = await manage(['createsuperuser', '--username', username], { input: 'me@example.com\nonly-once\n' });
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toBe('Error: Operation cancelled.\n');
      expect(await userNamed(username)).toBeNull();
    });
  });

  describe('create-token', () => {
    it('prints a new key, which works in the Authorization header; --reset revokes the others', async () => {
      const user = await t.createUser();
      const fromLogin = await tokenLogin(t, user);
      const first = await manage(['create-token', user.username]);
      expect(first.code).toBe(0);
      expect(first.stderr).toBe('');
      const key = /^Generated token ([0-9a-f]{40}) for user (.+)\n$/.exec(first.stdout);
      expect(key?.[2]).toBe(user.username);
      const me = await t.http.get('/auth/users/me/').set('Authorization', `Token ${key![1]}`);
      expect(me.status).toBe(200);
      expect((me.body as { id: number }).id).toBe(user.id);

      const reset = await manage(['create-token', '-r', user.username]);
      const newKey = /^Generated token ([0-9a-f]{40}) for user /.exec(reset.stdout)![1]!;
      for (const old of [key![1]!, fromLogin.key]) expect((await t.http.get('/auth/users/me/').set('Authorization', `Token ${old}`)).status).toBe(401);
      expect((await t.http.get('/api/profile/').set('Authorization', `Token ${newKey}`)).status).toBe(200);
    });

    it('refuses unknown and inactive users (exit code 1) and a missing username (exit code 2)', async () => {
      const inactive = await t.createUser({ isActive: false });
      const unknown = await manageHere(['create-token', 'nobody-by-that-name']);
      const refused = await manageHere(['create-token', inactive.username]);
      const missing = await manageHere(['create-token']);
      expect(unknown).toEqual({ code: 1, stdout: '', stderr: 'Error: Cannot create the Token: user nobody-by-that-name does not exist\n' });
      expect(refused).toEqual({ code: 1, stdout: '', stderr: `Error: Cannot create the Token: user ${inactive.username} is inactive\n` });
      expect(missing).toEqual({ code: 2, stdout: '', stderr: 'Error: create-token: the following arguments are required: username\n' });
    });

    it("answers to DRF's name, drf_create_token, as well", async () => {
      const user = await t.createUser();
      const outcome = await manageHere(['drf_create_token', '-r', user.username]);
      expect(outcome.code).toBe(0);
      expect(outcome.stdout).toMatch(new RegExp(`^Generated token [0-9a-f]{40} for user ${user.username}\\n$`));
      expect(await manageHere(['drf_create_token', 'nobody-by-that-name'])).toEqual({ code: 1, stdout: '', stderr: 'Error: Cannot create the Token: user nobody-by-that-name does not exist\n' });
    });
  });

  describe('changepassword', () => {
    it('sets the password typed twice and revokes the user\'s tokens', async () => {
      const user = await t.createUser();
      const { header } = await tokenLogin(t, user);
      const outcome = await manage(['changepassword', user.username], { input: 'mismatch one\nmismatch two\nbrand new passphrase\nbrand new passphrase\n' });
      expect(outcome).toEqual({
        code: 0,
        stdout: `Changing password for user '${user.username}'\nPassword: Password (again): Passwords do not match. Please try again.\nPassword: Password (again): Password changed successfully for user '${user.username}'\n`,
        stderr: '',
      });
      expect(await canLogIn(user.username, user.password)).toBe(false);
      expect(await canLogIn(user.username, 'brand new passphrase')).toBe(true);
      expect((await t.http.get('/auth/users/me/').set(header)).status).toBe(401);
    });

    it('gives up after three refused attempts, changing nothing; refuses unknown users', async () => {
      const user = await t.createUser();
      const outcome = await manage(['changepassword', user.username], { input: 'a\nb\n12345678\n12345678\nshort\nshort\n' });
      const unknown = await manageHere(['changepassword', 'nobody-by-that-name']);
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toBe(
        [
          'This password is too common.',
          'This password is entirely numeric.',
          'This password is too short. It must contain at least 8 characters.',
          `Error: Aborting password change for user '${user.username}' after 3 attempts`,
          '',
        ].join('\n'),
      );
      expect(await canLogIn(user.username, user.password)).toBe(true);
      expect(unknown).toEqual({ code: 1, stdout: '', stderr: "Error: user 'nobody-by-that-name' does not exist\n" });
    });
  });

  it('clearsessions deletes expired sessions, and tokens older than TOKEN_TTL', async () => {
    const user = await t.createUser();
    const hourAgo = new Date(Date.now() - 3600 * 1000);
    await t.db.kysely
      .insertInto('django_session')
      .values([
        { digest: 'expired-session', user_id: user.id, expires_at: hourAgo },
        { digest: 'live-session', user_id: user.id, expires_at: new Date(Date.now() + 3600 * 1000) },
      ])
      .execute();
    await t.db.kysely
      .insertInto('authtoken_token')
      .values([
        { digest: 'old-token', user_id: user.id, created_at: hourAgo },
        { digest: 'new-token', user_id: user.id, created_at: new Date() },
      ])
      .execute();
    expect(await manageHere(['clearsessions'])).toEqual({ code: 0, stdout: 'Deleted 1 expired session(s) and 0 expired token(s).\n', stderr: '' });
    expect(await manageHere(['clearsessions'], { TOKEN_TTL: '30m' })).toEqual({ code: 0, stdout: 'Deleted 0 expired session(s) and 1 expired token(s).\n', stderr: '' });
    expect((await t.db.kysely.selectFrom('django_session').select('digest').where('user_id', '=', user.id).execute()).map((s) => s.digest)).toEqual(['live-session']);
    expect((await t.db.kysely.selectFrom('authtoken_token').select('digest').where('user_id', '=', user.id).execute()).map((s) => s.digest)).toEqual(['new-token']);
  });

  it('refuses to run on a database with unapplied migrations', async () => {
    const blank = await blankDatabaseUrl();
    try {
      const outcome = await manageInProcess(['create-token', 'anyone'], blank.url);
      expect(outcome.code).toBe(1);
      expect(outcome.stderr).toMatch(/^Error: The database has \d+ unapplied migration\(s\): run `npm run manage -- migrate` first\.\n$/);
    } finally {
      await blank.drop();
    }
  });
});
