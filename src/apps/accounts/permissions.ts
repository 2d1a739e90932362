// Django's permissions and groups (auth_permission, auth_group and their join tables):
// the store that loads a user's permissions for a request, and the administration the
// manage commands run. Permission rows are created on first grant, for the installed
// models only, as Django's post-migrate step creates them for every model.
import { insertOnce } from '../../db/errors.js';
import { sql } from 'kysely';
import type { Database } from '../../db/index.js';
import type { PermissionStore } from '../../rest/permissions/model-permissions.js';
import { installedModels, permissionActions } from '../../installed.js';

/** Who holds a grant: a user by username, or a group by name. */
export type Holder = { user: string } | { group: string };

/** A user, group or permission that does not exist, or a group that already does. */
export class PermissionAdminError extends Error {}

interface PermissionName {
  /** `lending.add_friend` */
  label: string;
  appLabel: string;
  model: string;
  codename: string;
  /** Django's default name, "Can add friend". */
  name: string;
}

/** Every permission there is, in Django's order: by model, then add, change, delete, view. */
export const allPermissions: readonly PermissionName[] = installedModels.flatMap((installed) => {
  const [appLabel, model] = installed.split('.') as [string, string];
  return permissionActions.map((action) => ({
    label: `${appLabel}.${action}_${model}`,
    appLabel,
    model,
    codename: `${action}_${model}`,
    name: `Can ${action} ${model}`,
  }));
});

const permissionsByLabel = new Map(allPermissions.map((permission) => [permission.label, permission]));

/** A user's permissions in one query: their own and their groups' (Django's ModelBackend needs two). */
export function permissionStore(db: Database): PermissionStore {
  return {
    async permissionsOf(user) {
      const { rows } = await sql<{ app_label: string; codename: string }>`
        SELECT ct.app_label, p.codename
        FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id
        WHERE p.id IN (SELECT permission_id FROM auth_user_user_permissions WHERE user_id = ${user.id})
           OR p.id IN (SELECT gp.permission_id FROM auth_group_permissions gp
                       JOIN auth_user_groups ug ON ug.group_id = gp.group_id WHERE ug.user_id = ${user.id})`.execute(db.kysely);
      return new Set(rows.map((row) => `${row.app_label}.${row.codename}`));
    },
  };
}

/** What the admin reports about a user or group's permissions. */
interface HeldPermissions {
  /** Sorted by label: whether granted directly, and the groups it comes through. */
  permissions: { label: string; direct: boolean; groups: string[] }[];
  /** For users: Django grants every permission to active superusers, and none to inactive users. */
  superuser?: boolean;
  inactive?: boolean;
}

export class PermissionAdmin {
  private readonly kysely: Database['kysely'];

  constructor(db: Database) {
    this.kysely = db.kysely;
  }

  async createGroup(name: string): Promise<void> {
    if (!(await insertOnce(() => this.kysely.insertInto('auth_group').values({ name }).execute()))) {
      throw new PermissionAdminError(`Group "${name}" already exists.`);
    }
  }

  /** Grants each permission; `granted` is false for those already held. Nothing is granted when a label is unknown. */
  async grant(holder: Holder, labels: readonly string[]): Promise<{ label: string; granted: boolean }[]> {
    const permissions = labels.map(known);
    const grants = await this.grantsOf(holder);
    const results = [];
    for (const permission of permissions) {
      results.push({ label: permission.label, granted: await grants.add(await this.permissionId(permission)) });
    }
    return results;
  }

  /** Revokes each permission; `revoked` is false for those not held directly (group grants stay). */
  async revoke(holder: Holder, labels: readonly string[]): Promise<{ label: string; revoked: boolean }[]> {
    const permissions = labels.map(known);
    const grants = await this.grantsOf(holder);
    const results = [];
    for (const { label, appLabel, model, codename } of permissions) {
      const row = await this.kysely
        .selectFrom('auth_permission as p')
        .innerJoin('django_content_type as ct', 'ct.id', 'p.content_type_id')
        .select('p.id')
        .where('p.codename', '=', codename)
        .where('ct.app_label', '=', appLabel)
        .where('ct.model', '=', model)
        .executeTakeFirst();
      results.push({ label, revoked: row !== undefined && (await grants.remove(row.id)) });
    }
    return results;
  }

  /** False when the user already was in the group. */
  async addToGroup(username: string, group: string): Promise<boolean> {
    const userId = await this.userId(username);
    const groupId = await this.groupId(group);
    return insertOnce(() => this.kysely.insertInto('auth_user_groups').values({ user_id: userId, group_id: groupId }).execute());
  }

  /** False when the user was not in the group. */
  async removeFromGroup(username: string, group: string): Promise<boolean> {
    const userId = await this.userId(username);
    const groupId = await this.groupId(group);
    return deleted(this.kysely.deleteFrom('auth_user_groups').where('user_id', '=', userId).where('group_id', '=', groupId));
  }

  async held(holder: Holder): Promise<HeldPermissions> {
    const labelled = this.kysely
      .selectFrom('auth_permission as p')
      .innerJoin('django_content_type as ct', 'ct.id', 'p.content_type_id')
      .select(sql<string>`ct.app_label || '.' || p.codename`.as('label'));
    const sorted = (permissions: HeldPermissions['permissions']) => permissions.sort((a, b) => (a.label < b.label ? -1 : 1));
    if ('group' in holder) {
      const groupId = await this.groupId(holder.group);
      const rows = await labelled
        .where('p.id', 'in', (eb) => eb.selectFrom('auth_group_permissions').select('permission_id').where('group_id', '=', groupId))
        .execute();
      return { permissions: sorted(rows.map(({ label }) => ({ label, direct: true, groups: [] }))) };
    }
    const user = await this.kysely
      .selectFrom('auth_user')
      .select(['id', 'is_active', 'is_superuser'])
      .where('username', '=', holder.user)
      .executeTakeFirst();
    if (!user) throw new PermissionAdminError(`User "${holder.user}" does not exist.`);
    const direct = await labelled
      .where('p.id', 'in', (eb) => eb.selectFrom('auth_user_user_permissions').select('permission_id').where('user_id', '=', user.id))
      .execute();
    const viaGroups = await labelled
      .innerJoin('auth_group_permissions as gp', 'gp.permission_id', 'p.id')
      .innerJoin('auth_user_groups as ug', 'ug.group_id', 'gp.group_id')
      .innerJoin('auth_group as g', 'g.id', 'gp.group_id')
      .select('g.name as group')
      .where('ug.user_id', '=', user.id)
      .execute();
    const held = new Map<string, { label: string; direct: boolean; groups: string[] }>();
    const entry = (label: string) => held.get(label) ?? held.set(label, { label, direct: false, groups: [] }).get(label)!;
    for (const { label } of direct) entry(label).direct = true;
    for (const { label, group } of viaGroups) entry(label).groups.push(group);
    for (const permission of held.values()) permission.groups.sort();
    return { permissions: sorted([...held.values()]), superuser: user.is_superuser, inactive: !user.is_active };
  }

  private async userId(username: string): Promise<number> {
    const user = await this.kysely.selectFrom('auth_user').select('id').where('username', '=', username).executeTakeFirst();
    if (!user) throw new PermissionAdminError(`User "${username}" does not exist.`);
    return user.id;
  }

  private async groupId(name: string): Promise<number> {
    const group = await this.kysely.selectFrom('auth_group').select('id').where('name', '=', name).executeTakeFirst();
    if (!group) throw new PermissionAdminError(`Group "${name}" does not exist.`);
    return group.id;
  }

  /** The permission's row, created with its content type on first use. */
  private async permissionId({ appLabel, model, codename, name }: PermissionName): Promise<number> {
    // Insert if missing (a concurrent insert wins the unique index just as well), then read.
    await this.kysely.insertInto('django_content_type').values({ app_label: appLabel, model }).onConflict((oc) => oc.doNothing()).execute();
    const contentType = await this.kysely
      .selectFrom('django_content_type')
      .select('id')
      .where('app_label', '=', appLabel)
      .where('model', '=', model)
      .executeTakeFirstOrThrow();
    await this.kysely
      .insertInto('auth_permission')
      .values({ content_type_id: contentType.id, codename, name })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const permission = await this.kysely
      .selectFrom('auth_permission')
      .select('id')
      .where('content_type_id', '=', contentType.id)
      .where('codename', '=', codename)
      .executeTakeFirstOrThrow();
    return permission.id;
  }

  /** Adds and removes grants of one holder; add is false when already granted. */
  private async grantsOf(holder: Holder): Promise<{ add(permissionId: number): Promise<boolean>; remove(permissionId: number): Promise<boolean> }> {
    if ('user' in holder) {
      const userId = await this.userId(holder.user);
      return {
        add: (permissionId) =>
          insertOnce(() => this.kysely.insertInto('auth_user_user_permissions').values({ user_id: userId, permission_id: permissionId }).execute()),
        remove: (permissionId) =>
          deleted(this.kysely.deleteFrom('auth_user_user_permissions').where('user_id', '=', userId).where('permission_id', '=', permissionId)),
      };
    }
    const groupId = await this.groupId(holder.group);
    return {
      add: (permissionId) =>
        insertOnce(() => this.kysely.insertInto('auth_group_permissions').values({ group_id: groupId, permission_id: permissionId }).execute()),
      remove: (permissionId) =>
        deleted(this.kysely.deleteFrom('auth_group_permissions').where('group_id', '=', groupId).where('permission_id', '=', permissionId)),
    };
  }
}

/** Runs a delete: whether it removed anything. */
async function deleted(query: { executeTakeFirst(): Promise<{ numDeletedRows: bigint }> }): Promise<boolean> {
  return (await query.executeTakeFirst()).numDeletedRows > 0n;
}

function known(label: string): PermissionName {
  const permission = permissionsByLabel.get(label);
  if (!permission) throw new PermissionAdminError(`Unknown permission "${label}" (npm run manage -- listperms lists them).`);
  return permission;
}
