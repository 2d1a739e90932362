import { describe, expect, it, vi } from 'vitest';
import type { AuthUser } from '../../src/rest/authentication/index.js';
import { UserPermissions, type PermissionStore } from '../../src/rest/permissions/model-permissions.js';
import type { RequestContext } from '../../src/rest/views/api-view.js';

const user = (fields: Partial<AuthUser> = {}): AuthUser => ({
  id: 1,
  username: 'u',
  isActive: true,
  isStaff: false,
  isSuperuser: false,
  ...fields,
});
const request = (who: AuthUser | null) => ({ user: who }) as RequestContext;

describe('UserPermissions (Django\'s has_perms)', () => {
  function setup(granted: string[]) {
    const store: PermissionStore = { permissionsOf: vi.fn(async () => new Set(granted)) };
    return { store, permissions: new UserPermissions(store) };
  }

  it('needs every permission asked for, and asks the store once per request', async () => {
    const { store, permissions } = setup(['lending.add_friend', 'lending.change_friend']);
    const ctx = request(user());
    expect(await permissions.has(ctx, ['lending.add_friend'])).toBe(true);
    expect(await permissions.has(ctx, ['lending.add_friend', 'lending.change_friend'])).toBe(true);
    expect(await permissions.has(ctx, ['lending.add_friend', 'lending.delete_friend'])).toBe(false);
    expect(store.permissionsOf).toHaveBeenCalledTimes(1);
    expect(await permissions.has(request(user()), ['lending.add_friend'])).toBe(true);
    expect(store.permissionsOf).toHaveBeenCalledTimes(2);
  });

  it('an empty list is always satisfied, without asking the store, even for anonymous users', async () => {
    const { store, permissions } = setup([]);
    expect(await permissions.has(request(null), [])).toBe(true);
    expect(await permissions.has(request(user()), [])).toBe(true);
    expect(store.permissionsOf).not.toHaveBeenCalled();
  });

  it('active superusers hold everything; inactive users and anonymous users nothing', async () => {
    const { store, permissions } = setup(['lending.add_friend']);
    expect(await permissions.has(request(user({ isSuperuser: true })), ['any.thing'])).toBe(true);
    expect(await permissions.has(request(user({ isSuperuser: true, isActive: false })), ['any.thing'])).toBe(false);
    expect(await permissions.has(request(user({ isActive: false })), ['lending.add_friend'])).toBe(false);
    expect(await permissions.has(request(null), ['lending.add_friend'])).toBe(false);
    expect(store.permissionsOf).not.toHaveBeenCalled();
  });
});
