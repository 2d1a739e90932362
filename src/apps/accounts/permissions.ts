// Django's permissions and groups (auth_permission, auth_group and their join tables):
// the store that loads a user's permissions for a request, and the administration the
// manage commands run. Permission rows are created on first grant, for the installed
// models only, as Django's post-migrate step creates them for every model.
import { insertOnce } from '../../db/errors.js';
import type { Prisma } from '../../db/index.js';
import type { PermissionStore } from '../../rest/model-permissions.js';
import { installedModels, permissionActions } from '../installed.js';

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
export function permissionStore(prisma: Prisma): PermissionStore {
  return {
    async permissionsOf(user) {
      const rows = await prisma.$queryRaw<{ app_label: string; codename: string }[]>`
        SELECT ct.app_label, p.codename
        FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id
        WHERE p.id IN (SELECT permission_id FROM auth_user_user_permissions WHERE user_id = ${user.id})
           OR p.id IN (SELECT gp.permission_id FROM auth_group_permissions gp
                       JOIN auth_user_groups ug ON ug.group_id = gp.group_id WHERE ug.user_id = ${user.id})`;
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
  constructor(private readonly prisma: Prisma) {}

  async createGroup(name: string): Promise<void> {
    if (!(await insertOnce(() => this.prisma.group.create({ data: { name }, select: { id: true } })))) {
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
      const row = await this.prisma.permission.findFirst({ where: { codename, contentType: { appLabel, model } }, select: { id: true } });
      results.push({ label, revoked: row !== null && (await grants.remove(row.id)) });
    }
    return results;
  }

  /** False when the user already was in the group. */
  async addToGroup(username: string, group: string): Promise<boolean> {
    const userId = await this.userId(username);
    const groupId = await this.groupId(group);
    return insertOnce(() => this.prisma.userGroup.create({ data: { userId, groupId }, select: { id: true } }));
  }

  /** False when the user was not in the group. */
  async removeFromGroup(username: string, group: string): Promise<boolean> {
    const userId = await this.userId(username);
    const groupId = await this.groupId(group);
    return (await this.prisma.userGroup.deleteMany({ where: { userId, groupId } })).count > 0;
  }

  async held(holder: Holder): Promise<HeldPermissions> {
    const select = { codename: true, contentType: { select: { appLabel: true } } } as const;
    const label = (p: { codename: string; contentType: { appLabel: string } }) => `${p.contentType.appLabel}.${p.codename}`;
    const sorted = (permissions: HeldPermissions['permissions']) => permissions.sort((a, b) => (a.label < b.label ? -1 : 1));
    if ('group' in holder) {
      const groupId = await this.groupId(holder.group);
      const rows = await this.prisma.permission.findMany({ where: { groups: { some: { groupId } } }, select });
      return { permissions: sorted(rows.map((p) => ({ label: label(p), direct: true, groups: [] }))) };
    }
    const user = await this.prisma.user.findUnique({ where: { username: holder.user }, select: { id: true, isActive: true, isSuperuser: true } });
    if (!user) throw new PermissionAdminError(`User "${holder.user}" does not exist.`);
    const inGroup = { group: { users: { some: { userId: user.id } } } };
    const rows = await this.prisma.permission.findMany({
      where: { OR: [{ users: { some: { userId: user.id } } }, { groups: { some: inGroup } }] },
      select: {
        ...select,
        users: { where: { userId: user.id }, select: { id: true } },
        groups: { where: inGroup, select: { group: { select: { name: true } } } },
      },
    });
    return {
      permissions: sorted(
        rows.map((p) => ({ label: label(p), direct: p.users.length > 0, groups: p.groups.map((g) => g.group.name).sort() })),
      ),
      superuser: user.isSuperuser,
      inactive: !user.isActive,
    };
  }

  private async userId(username: string): Promise<number> {
    const user = await this.prisma.user.findUnique({ where: { username }, select: { id: true } });
    if (!user) throw new PermissionAdminError(`User "${username}" does not exist.`);
    return user.id;
  }

  private async groupId(name: string): Promise<number> {
    const group = await this.prisma.group.findUnique({ where: { name }, select: { id: true } });
    if (!group) throw new PermissionAdminError(`Group "${name}" does not exist.`);
    return group.id;
  }

  /** The permission's row, created with its content type on first use. */
  private async permissionId({ appLabel, model, codename, name }: PermissionName): Promise<number> {
    const contentType = await this.prisma.contentType.upsert({
      where: { appLabel_model: { appLabel, model } },
      create: { appLabel, model },
      update: {},
      select: { id: true },
    });
    const permission = await this.prisma.permission.upsert({
      where: { contentTypeId_codename: { contentTypeId: contentType.id, codename } },
      create: { contentTypeId: contentType.id, codename, name },
      update: {},
      select: { id: true },
    });
    return permission.id;
  }

  /** Adds and removes grants of one holder; add is false when already granted. */
  private async grantsOf(holder: Holder): Promise<{ add(permissionId: number): Promise<boolean>; remove(permissionId: number): Promise<boolean> }> {
    if ('user' in holder) {
      const userId = await this.userId(holder.user);
      return {
        add: (permissionId) => insertOnce(() => this.prisma.userPermission.create({ data: { userId, permissionId }, select: { id: true } })),
        remove: async (permissionId) => (await this.prisma.userPermission.deleteMany({ where: { userId, permissionId } })).count > 0,
      };
    }
    const groupId = await this.groupId(holder.group);
    return {
      add: (permissionId) => insertOnce(() => this.prisma.groupPermission.create({ data: { groupId, permissionId }, select: { id: true } })),
      remove: async (permissionId) => (await this.prisma.groupPermission.deleteMany({ where: { groupId, permissionId } })).count > 0,
    };
  }
}

function known(label: string): PermissionName {
  const permission = permissionsByLabel.get(label);
  if (!permission) throw new PermissionAdminError(`Unknown permission "${label}" (npm run manage -- listperms lists them).`);
  return permission;
}
