// manage commands for Django's groups and model permissions: creategroup, addtogroup,
// removefromgroup, grant, revoke, listperms. A holder is a username or `group:NAME`;
// a permission is `app_label.codename` (lending.add_friend). Exit codes: 0 done,
// 1 a name that names nothing (nothing is changed), 2 wrong arguments.
import { allPermissions, PermissionAdmin, PermissionAdminError, type Holder } from '../apps/accounts/permissions.js';
import { CommandError, withDatabase, type Command } from './command.js';

/** Runs an action on DATABASE_URL; the admin's refusals become one-line command errors. */
async function withAdmin(action: (admin: PermissionAdmin) => Promise<void>): Promise<number> {
  try {
    await withDatabase((db) => action(new PermissionAdmin(db)));
    return 0;
  } catch (error) {
    if (error instanceof PermissionAdminError) throw new CommandError(error.message);
    throw error;
  }
}

/** A wrong command line: the command's usage, exit code 2. */
function usage(synopsis: string): number {
  console.error(`Usage: npm run manage -- ${synopsis}`);
  return 2;
}

/** `alice` → the user alice; `group:editors` → the group editors. */
function parseHolder(text: string): Holder | null {
  if (!text.startsWith('group:')) return text === '' ? null : { user: text };
  const group = text.slice('group:'.length);
  return group === '' ? null : { group };
}

const describe = (holder: Holder) => ('user' in holder ? `user "${holder.user}"` : `group "${holder.group}"`);
const capitalized = (text: string) => text[0]!.toUpperCase() + text.slice(1);

const holderSynopsis = '<username|group:NAME>';

export const permissionCommands: Command[] = [
  {
    name: 'creategroup',
    usage: 'creategroup <name>',
    help: 'Create a group of users that share permissions: creategroup <name>.',
    async run(args) {
      if (args.length !== 1 || args[0] === '') return usage('creategroup <name>');
      const [name] = args as [string];
      return withAdmin(async (admin) => {
        await admin.createGroup(name);
        console.log(`Created group "${name}".`);
      });
    },
  },
  {
    name: 'addtogroup',
    usage: 'addtogroup <username> <group>',
    help: 'Put a user in a group: addtogroup <username> <group>.',
    async run(args) {
      if (args.length !== 2) return usage('addtogroup <username> <group>');
      const [username, group] = args as [string, string];
      return withAdmin(async (admin) => {
        const added = await admin.addToGroup(username, group);
        console.log(added ? `Added user "${username}" to group "${group}".` : `User "${username}" is already in group "${group}".`);
      });
    },
  },
  {
    name: 'removefromgroup',
    usage: 'removefromgroup <username> <group>',
    help: 'Take a user out of a group: removefromgroup <username> <group>.',
    async run(args) {
      if (args.length !== 2) return usage('removefromgroup <username> <group>');
      const [username, group] = args as [string, string];
      return withAdmin(async (admin) => {
        const removed = await admin.removeFromGroup(username, group);
        console.log(removed ? `Removed user "${username}" from group "${group}".` : `User "${username}" is not in group "${group}".`);
      });
    },
  },
  {
    name: 'grant',
    usage: 'grant <username|group:NAME> <app_label.codename>...',
    help: `Grant permissions: grant ${holderSynopsis} <app_label.codename>...`,
    async run(args) {
      const holder = parseHolder(args[0] ?? '');
      if (!holder || args.length < 2) return usage(`grant ${holderSynopsis} <app_label.codename>...`);
      return withAdmin(async (admin) => {
        for (const { label, granted } of await admin.grant(holder, args.slice(1))) {
          console.log(granted ? `Granted ${label} to ${describe(holder)}.` : `${capitalized(describe(holder))} already has ${label}.`);
        }
      });
    },
  },
  {
    name: 'revoke',
    usage: 'revoke <username|group:NAME> <app_label.codename>...',
    help: `Revoke permissions: revoke ${holderSynopsis} <app_label.codename>...`,
    async run(args) {
      const holder = parseHolder(args[0] ?? '');
      if (!holder || args.length < 2) return usage(`revoke ${holderSynopsis} <app_label.codename>...`);
      return withAdmin(async (admin) => {
        for (const { label, revoked } of await admin.revoke(holder, args.slice(1))) {
          console.log(revoked ? `Revoked ${label} from ${describe(holder)}.` : `Nothing to revoke: ${describe(holder)} was not granted ${label}.`);
        }
      });
    },
  },
  {
    name: 'listperms',
    usage: 'listperms [<username|group:NAME>]',
    help: `List a user's or group's permissions, or (alone) every permission: listperms [${holderSynopsis}].`,
    async run(args) {
      if (args.length === 0) {
        const width = Math.max(...allPermissions.map((p) => p.label.length)) + 2;
        for (const { label, name } of allPermissions) console.log(`${label.padEnd(width)}${name}`);
        return 0;
      }
      const holder = parseHolder(args[0]!);
      if (!holder || args.length > 1) return usage(`listperms [${holderSynopsis}]`);
      return withAdmin(async (admin) => {
        const { permissions, superuser, inactive } = await admin.held(holder);
        const who = capitalized(describe(holder));
        if (inactive) console.log(`${who} is inactive: no permission is granted.`);
        else if (superuser) console.log(`${who} is a superuser: every permission is granted.`);
        else if (permissions.length === 0) console.log(`${who} has no permissions.`);
        for (const { label, direct, groups } of permissions) {
          const through = groups.map((group) => `group "${group}"`).join(', ');
          console.log(groups.length === 0 ? label : `${label} (${direct ? 'directly and ' : ''}through ${through})`);
        }
      });
    },
  },
];
