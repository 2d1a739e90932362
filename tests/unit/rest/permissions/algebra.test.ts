// The permission algebra: DRF's `&`, `|` and `~` (rest_framework/permissions.py, 3.14), with
// 3.14's OR of object permissions: a side grants an object only if it grants the request too.
import type { Request } from 'express';
import { describe, expect, it } from 'vitest';
import { and, IsAuthenticated, not, or, permission, type Permission } from '../../../../src/rest/permissions/index.js';
import type { AuthUser, RequestContext } from '../../../../src/rest/types.js';

const alice: AuthUser = { id: 1, username: 'alice', isActive: true, isStaff: false, isSuperuser: false };
const context = (user: AuthUser | null, method = 'GET') => ({ user, req: { method } as Request }) as RequestContext;

/** A permission with fixed answers that records which questions it was asked. */
function fixed(request: boolean, object: boolean, asked: string[] = [], name = '') {
  return permission({
    hasPermission: () => (asked.push(`${name}.request`), request),
    // Asynchronous on purpose: composites must await either kind.
    hasObjectPermission: async () => (asked.push(`${name}.object`), object),
  });
}

const ask = async (p: Permission, ctx = context(alice)) => ({
  request: await p.hasPermission(ctx),
  object: await p.hasObjectPermission(ctx, {}),
});

describe('and (DRF &)', () => {
  it.each([
    [true, true, true],
    [true, false, false],
    [false, true, false],
    [false, false, false],
  ])('request %s & %s is %s', async (a, b, expected) => {
    expect((await ask(and(fixed(a, true), fixed(b, true)))).request).toBe(expected);
  });

  it('grants an object only when both sides grant it', async () => {
    expect((await ask(and(fixed(true, true), fixed(true, false)))).object).toBe(false);
    expect((await ask(and(fixed(true, true), fixed(true, true)))).object).toBe(true);
  });

  it('stops at the first refusal, as Python\'s `and`', async () => {
    const asked: string[] = [];
    await and(fixed(false, true, asked, 'a'), fixed(true, true, asked, 'b')).hasPermission(context(alice));
    expect(asked).toEqual(['a.request']);
  });

  it('composes with a real policy', async () => {
    const p = and(IsAuthenticated, fixed(true, true));
    expect(await p.hasPermission(context(null))).toBe(false);
    expect(await p.hasPermission(context(alice))).toBe(true);
  });
});

describe('or (DRF |)', () => {
  it.each([
    [true, true, true],
    [true, false, true],
    [false, true, true],
    [false, false, false],
  ])('request %s | %s is %s', async (a, b, expected) => {
    expect((await ask(or(fixed(a, true), fixed(b, true)))).request).toBe(expected);
  });

  it('stops at the first grant', async () => {
    const asked: string[] = [];
    await or(fixed(true, true, asked, 'a'), fixed(true, true, asked, 'b')).hasPermission(context(alice));
    expect(asked).toEqual(['a.request']);
  });

  it('on an object, counts a side only if it grants the request too (DRF 3.14)', async () => {
    // Side a refuses the request but would allow the object; side b allows the request but not the object.
    // DRF before 3.14 granted this (a's object answer alone); 3.14 refuses.
    expect((await ask(or(fixed(false, true), fixed(true, false)))).object).toBe(false);
    // A side granting both grants the object.
    expect((await ask(or(fixed(false, false), fixed(true, true)))).object).toBe(true);
  });

  it('asks a side for the object only after it granted the request', async () => {
    const asked: string[] = [];
    await or(fixed(false, true, asked, 'a'), fixed(true, true, asked, 'b')).hasObjectPermission(context(alice), {});
    expect(asked).toEqual(['a.request', 'b.request', 'b.object']);
  });
});

describe('not (DRF ~)', () => {
  it('inverts both the request and the object answer', async () => {
    expect(await ask(not(fixed(true, false)))).toEqual({ request: false, object: true });
    expect(await ask(not(fixed(false, true)))).toEqual({ request: true, object: false });
  });

  it('composes: ~IsAuthenticated admits only the anonymous', async () => {
    expect(await not(IsAuthenticated).hasPermission(context(null))).toBe(true);
    expect(await not(IsAuthenticated).hasPermission(context(alice))).toBe(false);
  });

  it('carries no message of its own: a refusal gets DRF\'s default detail', () => {
    const refusing = permission({ hasPermission: () => false, message: 'Nope.' });
    expect(not(refusing).message).toBeUndefined();
    expect(and(refusing).message).toBeUndefined();
    expect(or(refusing).message).toBeUndefined();
  });
});
