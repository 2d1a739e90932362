// Django's auth commands and DRF's drf_create_token: createsuperuser, changepassword,
// create-token. Passwords are never taken from the command line (where `ps` and shell
// history would see them): they are typed, piped, or read from DJANGO_SUPERUSER_PASSWORD.
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { accountServices } from '../apps/accounts/index.js';
import { sessionStore } from '../apps/accounts/sessions.js';
import { defaultPasswordValidators, passwordErrors, type PasswordOwner } from '../apps/accounts/password-validation.js';
import { isValidUsername, usernameMaxLength, usernameMessage, UsernameTaken, type Users } from '../apps/accounts/users.js';
import { isEmailAddress } from '../rest/fields/index.js';
import type { SessionStore } from '../rest/authentication/session.js';
import { CommandError, withDatabase, type Command } from './command.js';
import { Prompter } from './prompt.js';

/**
 * withDatabase, with the app's users and tokens, and the session store (the session
 * service also signs CSRF tokens, with a SECRET_KEY no command needs).
 */
const withAccounts = <T>(work: (accounts: ReturnType<typeof accountServices> & { sessions: SessionStore }) => Promise<T>): Promise<T> =>
  withDatabase((db, config) => work({ ...accountServices(config, db), sessions: sessionStore(db) }));

/** node:util parseArgs, with argparse's complaint (exit code 2) for anything unexpected. */
function parseCommandLine<O extends NonNullable<Parameters<typeof parseArgs>[0]>['options']>(command: string, args: string[], options: O, positionals = 0) {
  try {
    const parsed = parseArgs({ args, options, allowPositionals: positionals > 0, strict: true });
    if (parsed.positionals.length > positionals) throw new Error(`unrecognized arguments: ${parsed.positionals.slice(positionals).join(' ')}`);
    return parsed;
  } catch (error) {
    throw new CommandError(`${command}: ${(error as Error).message}`, 2);
  }
}

const usernameTaken = 'That username is already taken.';

/** Django's createsuperuser._validate_username: the problem with this username, if any. */
async function usernameProblem(users: Users, username: string): Promise<string | undefined> {
  if (username !== '' && (await users.usernameExists(username))) return usernameTaken;
  if (username === '') return 'Username cannot be blank.';
  const problems = [
    ...(isValidUsername(username) ? [] : [usernameMessage]),
    ...(Array.from(username).length > usernameMaxLength
      ? [`Ensure this value has at most ${usernameMaxLength} characters (it has ${Array.from(username).length}).`]
      : []),
  ];
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** EmailField.clean of Django's User.email (blank allowed). */
const emailProblem = (email: string) =>
  email !== '' && (email.length > 254 || !isEmailAddress(email)) ? 'Enter a valid email address.' : undefined;

/** An email given on the command line or in the environment is not asked again: a bad one ends the command. */
function requireValidEmail(email: string): void {
  const problem = emailProblem(email);
  if (problem) throw new CommandError(problem);
}

/** The create step of both modes; a username taken since it was checked (a race) is refused like one taken before. */
async function createSuperuser(users: Users, user: { username: string; email: string; password: string | null }): Promise<void> {
  try {
    await users.create({ ...user, isStaff: true, isSuperuser: true });
  } catch (error) {
    if (error instanceof UsernameTaken) throw new CommandError(usernameTaken);
    throw error;
  }
  console.log('Superuser created successfully.');
}

/** Django's get_default_username: the system user's name, when it would be a valid, free username. */
async function defaultUsername(users: Users): Promise<string> {
  const name = userInfo().username.normalize('NFKD').replace(/[^\x20-\x7e]/g, '').replace(/ /g, '').toLowerCase();
  return name !== '' && (await usernameProblem(users, name)) === undefined ? name : '';
}

async function createSuperuserInteractively(users: Users, given: { username?: string | undefined; email?: string | undefined }): Promise<void> {
  const prompt = new Prompter();
  const complain = (message: string) => console.error(`Error: ${message}`);
  try {
    let username = given.username;
    if (username !== undefined) {
      const problem = await usernameProblem(users, username);
      if (problem) {
        complain(problem);
        username = undefined;
      }
    }
    const fallback = username === undefined ? await defaultUsername(users) : '';
    while (username === undefined) {
      const answer = (await prompt.ask(fallback ? `Username (leave blank to use '${fallback}'): ` : 'Username: ')) || fallback;
      const problem = await usernameProblem(users, answer);
      if (problem) complain(problem);
      else username = answer;
    }
    let email = given.email;
    if (email !== undefined) requireValidEmail(email);
    while (email === undefined) {
      const answer = (await prompt.ask('Email address: ')).trim();
      const problem = emailProblem(answer);
      if (problem) complain(problem);
      else email = answer;
    }
    await createSuperuser(users, { username, email, password: await choosePassword(prompt, { username, email }) });
  } finally {
    prompt.close();
  }
}

/** Django's password loop: typed twice, not blank, validated, with the choice to bypass validation. */
async function choosePassword(prompt: Prompter, owner: PasswordOwner): Promise<string> {
  const validators = defaultPasswordValidators();
  for (;;) {
    const password = await prompt.ask('Password: ', { hidden: true });
    const again = await prompt.ask('Password (again): ', { hidden: true });
    if (password !== again) {
      console.error("Error: Your passwords didn't match.");
      continue;
    }
    if (password.trim() === '') {
      console.error("Error: Blank passwords aren't allowed.");
      continue;
    }
    const errors = passwordErrors(validators, password, owner);
    if (errors.length === 0) return password;
    console.error(errors.join('\n'));
    const bypass = await prompt.ask('Bypass password validation and create user anyway? [y/N]: ');
    if (bypass.toLowerCase() === 'y') return password;
  }
}

const createsuperuser: Command = {
  name: 'createsuperuser',
  usage: 'createsuperuser [--no-input] [--username USERNAME] [--email EMAIL]',
  help: 'Create a staff superuser: prompts, or --no-input with --username, --email and DJANGO_SUPERUSER_PASSWORD.',
  async run(args) {
    const { values } = parseCommandLine('createsuperuser', args, {
      username: { type: 'string' },
      email: { type: 'string' },
      'no-input': { type: 'boolean' },
      noinput: { type: 'boolean' },
    });
    return withAccounts(async ({ users }) => {
      if (!values['no-input'] && !values.noinput) {
        await createSuperuserInteractively(users, values);
        return 0;
      }
      // Django's non-interactive mode: flags first, then DJANGO_SUPERUSER_* variables.
      const username = values.username ?? process.env.DJANGO_SUPERUSER_USERNAME;
      if (!username) throw new CommandError('You must use --username with --no-input.');
      const problem = await usernameProblem(users, username);
      if (problem) throw new CommandError(problem);
      const email = values.email ?? process.env.DJANGO_SUPERUSER_EMAIL;
      if (!email) throw new CommandError('You must use --email with --no-input.');
      requireValidEmail(email);
      // As Django: without DJANGO_SUPERUSER_PASSWORD the password is unusable (and not validated either way).
      const password = process.env.DJANGO_SUPERUSER_PASSWORD || null;
      await createSuperuser(users, { username, email, password });
      if (password === null) console.log('DJANGO_SUPERUSER_PASSWORD was not set: the password is unusable until set with changepassword.');
      return 0;
    });
  },
};

const maxTries = 3;

const changepassword: Command = {
  name: 'changepassword',
  usage: 'changepassword [username]',
  help: "Change a user's password (default: the system user's name); revokes their tokens and sessions.",
  async run(args) {
    const { positionals } = parseCommandLine('changepassword', args, {}, 1);
    const username = positionals[0] ?? userInfo().username;
    return withAccounts(async ({ users }) => {
      const user = await users.byUsername(username);
      if (!user) throw new CommandError(`user '${username}' does not exist`);
      console.log(`Changing password for user '${user.username}'`);
      const validators = defaultPasswordValidators();
      const prompt = new Prompter();
      try {
        for (let tries = 1; tries <= maxTries; tries++) {
          const password = await prompt.ask('Password: ', { hidden: true });
          if (password === '') throw new CommandError('aborted');
          const again = await prompt.ask('Password (again): ', { hidden: true });
          if (password !== again) {
            console.log('Passwords do not match. Please try again.');
            continue;
          }
          const errors = passwordErrors(validators, password, user);
          if (errors.length > 0) {
            console.error(errors.join('\n'));
            continue;
          }
          await users.setPassword(user.id, password);
          console.log(`Password changed successfully for user '${user.username}'`);
          return 0;
        }
      } finally {
        prompt.close();
      }
      throw new CommandError(`Aborting password change for user '${user.username}' after ${maxTries} attempts`);
    });
  },
};

const createToken: Command = {
  name: 'create-token',
  // DRF's name, so that scripts written for manage.py run unchanged.
  aliases: ['drf_create_token'],
  usage: 'create-token <username> [-r|--reset]',
  help: "Issue a DRF token for a user and print it (DRF's drf_create_token); -r/--reset revokes their other tokens first.",
  async run(args) {
    const { values, positionals } = parseCommandLine('create-token', args, { reset: { type: 'boolean', short: 'r' } }, 1);
    const username = positionals[0];
    if (username === undefined) throw new CommandError('create-token: the following arguments are required: username', 2);
    return withAccounts(async ({ users, tokens }) => {
      const user = await users.byUsername(username);
      if (!user) throw new CommandError(`Cannot create the Token: user ${username} does not exist`);
      if (!user.isActive) throw new CommandError(`Cannot create the Token: user ${username} is inactive`);
      if (values.reset) await tokens.revokeAllOf(user.id);
      console.log(`Generated token ${await tokens.issue(user.id)} for user ${username}`);
      return 0;
    });
  },
};

const clearsessions: Command = {
  name: 'clearsessions',
  usage: 'clearsessions',
  help: 'Delete expired browser sessions, and DRF tokens older than TOKEN_TTL when it is set (run it from cron).',
  async run(args) {
    parseCommandLine('clearsessions', args, {});
    return withAccounts(async ({ sessions, tokens }) => {
      const deletedSessions = await sessions.deleteExpired();
      const deletedTokens = await tokens.deleteExpired();
      console.log(`Deleted ${deletedSessions} expired session(s) and ${deletedTokens} expired token(s).`);
      return 0;
    });
  },
};

export const accountCommands: Command[] = [createsuperuser, changepassword, createToken, clearsessions];
