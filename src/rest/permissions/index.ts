// DRF's permission classes: tiny policies, each answering one question for a
// request (hasPermission) and, on detail routes, for an object (hasObjectPermission).
// Compose them with and/or/not like DRF's `&`, `|`, `~`.
import { SAFE_METHODS } from '../views/api-view.js';
import type { Permission, RequestContext } from '../types.js';
export type { Permission } from '../types.js';

/** Fills DRF's BasePermission defaults (allow) for the parts a policy leaves out. */
export function permission(parts: Partial<Permission>): Permission {
  return {
    hasPermission: parts.hasPermission ?? (() => true),
    hasObjectPermission: parts.hasObjectPermission ?? (() => true),
    ...(parts.message === undefined ? {} : { message: parts.message }),
  };
}

const isSafe = (ctx: RequestContext) => SAFE_METHODS.has(ctx.req.method);

export const AllowAny = permission({});
export const IsAuthenticated = permission({ hasPermission: (ctx) => ctx.user !== null });
export const IsAuthenticatedOrReadOnly = permission({ hasPermission: (ctx) => isSafe(ctx) || ctx.user !== null });
export const IsAdminUser = permission({ hasPermission: (ctx) => ctx.user?.isStaff === true });

export interface OwnerOptions {
  /** Reads the owner's user id from an object; defaults to its `owner_id` column. */
  ownerOf?: (object: unknown) => unknown;
  message?: string;
  /** Let everyone read (IsOwnerOrReadOnly). */
  readOnlyForOthers?: boolean;
}

const defaultOwnerOf = (object: unknown) => (object as { owner_id?: unknown }).owner_id;

/** The tutorials' IsOwner / IsOwnerOrReadOnly: only the object's owner may act on it. */
export function ownerPermission(options: OwnerOptions = {}): Permission {
  const ownerOf = options.ownerOf ?? defaultOwnerOf;
  return permission({
    hasObjectPermission: (ctx, object) =>
      (options.readOnlyForOthers === true && isSafe(ctx)) || (ctx.user !== null && ownerOf(object) === ctx.user.id),
    ...(options.message === undefined ? {} : { message: options.message }),
  });
}

export const IsOwner = ownerPermission({ message: 'Not an owner.' });
export const IsOwnerOrReadOnly = ownerPermission({ readOnlyForOthers: true });

export function and(...permissions: Permission[]): Permission {
  return {
    async hasPermission(ctx) {
      for (const p of permissions) if (!(await p.hasPermission(ctx))) return false;
      return true;
    },
    async hasObjectPermission(ctx, object) {
      for (const p of permissions) if (!(await p.hasObjectPermission(ctx, object))) return false;
      return true;
    },
  };
}

/** DRF 3.14's OR: on objects, a side counts only if it also passes hasPermission. */
export function or(...permissions: Permission[]): Permission {
  return {
    async hasPermission(ctx) {
      for (const p of permissions) if (await p.hasPermission(ctx)) return true;
      return false;
    },
    async hasObjectPermission(ctx, object) {
      for (const p of permissions) {
        if ((await p.hasPermission(ctx)) && (await p.hasObjectPermission(ctx, object))) return true;
      }
      return false;
    },
  };
}

export function not(inner: Permission): Permission {
  return {
    hasPermission: async (ctx) => !(await inner.hasPermission(ctx)),
    hasObjectPermission: async (ctx, object) => !(await inner.hasObjectPermission(ctx, object)),
  };
}
