// Django's model permissions and DRF's DjangoModelPermissions: a user holds
// `app_label.codename` permissions (lending.add_friend) directly or through groups;
// the guard maps the request method to the permission the model's view requires.
import { permission } from './index.js';
import type { AuthUser, Permission, RequestContext } from '../types.js';

/** Where a user's permissions come from (the auth app's tables). */
export interface PermissionStore {
  /** Every `app_label.codename` the user holds, directly or through a group: one query. */
  permissionsOf(user: AuthUser): Promise<ReadonlySet<string>>;
}

/**
 * Django's user.has_perms: active superusers hold every permission, inactive users none,
 * and an empty list is always satisfied. The store is asked at most once per request,
 * and only when a permission must actually be looked up.
 */
export class UserPermissions {
  private readonly loaded = new WeakMap<RequestContext, Promise<ReadonlySet<string>>>();

  constructor(private readonly store: PermissionStore) {}

  async has(ctx: RequestContext, perms: readonly string[]): Promise<boolean> {
    if (perms.length === 0) return true;
    const { user } = ctx;
    if (user === null || !user.isActive) return false;
    if (user.isSuperuser) return true;
    let held = this.loaded.get(ctx);
    if (!held) {
      held = this.store.permissionsOf(user);
      this.loaded.set(ctx, held);
    }
    const granted = await held;
    return perms.every((perm) => granted.has(perm));
  }
}

interface ModelPermissionsOptions {
  /** The model's label, `app_label.model_name` (lending.friend). */
  model: string;
  permissions: UserPermissions;
  /** DjangoModelPermissionsOrAnonReadOnly: anonymous users may read. */
  anonReadOnly?: boolean;
  /** Reads (GET, HEAD) require `view_<model>`, the usual perms_map override (DRF 3.14 requires nothing). */
  requireView?: boolean;
}

/**
 * DRF's DjangoModelPermissions (and, with anonReadOnly, DjangoModelPermissionsOrAnonReadOnly):
 * POST needs add_<model>, PUT/PATCH change_<model>, DELETE delete_<model>; GET, HEAD and
 * OPTIONS need nothing. Anonymous users are refused unless anonReadOnly. Methods outside
 * the map are left to the view, which answers 405 as DRF's MethodNotAllowed would.
 */
function djangoModelPermissions(options: ModelPermissionsOptions): Permission {
  const [appLabel, modelName] = options.model.split('.');
  const perm = (action: string) => [`${appLabel}.${action}_${modelName}`];
  const read = options.requireView ? perm('view') : [];
  const required = new Map([
    ['GET', read],
    ['HEAD', read],
    ['OPTIONS', []],
    ['POST', perm('add')],
    ['PUT', perm('change')],
    ['PATCH', perm('change')],
    ['DELETE', perm('delete')],
  ]);
  return permission({
    hasPermission: (ctx) => {
      if (ctx.user === null && !options.anonReadOnly) return false;
      return options.permissions.has(ctx, required.get(ctx.req.method) ?? []);
    },
  });
}

/** Whether a model's views also check Django model permissions, chosen per deployment. */
export interface ModelPermissionSettings {
  /** Labels of the models whose views check them (`posts.post`, `lending.belonging`). */
  models: readonly string[];
  requireView: boolean;
}

/**
 * The model-permission guard for a model's views: `[djangoModelPermissions]` when the
 * deployment turns them on for that model, else nothing. Spread it into a view's permissions.
 */
export type ModelPermissionPolicy = (model: string, options?: { anonReadOnly?: boolean }) => Permission[];

export function modelPermissionPolicy(settings: ModelPermissionSettings, store: PermissionStore): ModelPermissionPolicy {
  const permissions = new UserPermissions(store);
  const enabled = new Set(settings.models);
  return (model, options = {}) =>
    enabled.has(model) ? [djangoModelPermissions({ model, permissions, requireView: settings.requireView, ...options })] : [];
}
