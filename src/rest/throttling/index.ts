// DRF's throttles (rest_framework/throttling.py). Every throttle of a view is asked,
// after authentication and permissions; if any refuses, the request is answered 429
// with the longest wait among them. Each throttle counts requests per key in a fixed
// window of its rate's duration, in a CounterStore (one process's memory, or Redis
// shared by every instance); the store's increment is atomic, so counts are exact
// under concurrency.
import { ipKeyGenerator } from 'express-rate-limit';
import { Throttled } from '../errors.js';
import type { Counter, CounterStore } from './stores.js';
import type { RequestContext, Throttle, ThrottleCount, ViewSpec } from '../types.js';
import type { ThrottleRates } from './rates.js';
export type { Rate, ThrottleCount, Throttle } from '../types.js';
export { parseRate, type ThrottleRates } from './rates.js';


/**
 * Asks every throttle (in parallel: one round trip to a shared store), sets the
 * RateLimit headers (IETF draft-8 shape, one list item per throttle that counted the
 * request), and refuses with the longest wait when any throttle refuses.
 */
export async function checkThrottles(ctx: RequestContext, throttles: readonly Throttle[]): Promise<void> {
  const counts = (await Promise.all(throttles.map((throttle) => throttle.check(ctx)))).filter((count) => count !== null);
  if (counts.length === 0) return;
  ctx.res.set({
    'RateLimit-Policy': counts.map(({ policy, rate }) => `"${policy}";q=${rate.limit};w=${rate.windowSeconds}`).join(', '),
    RateLimit: counts.map(({ policy, remaining, resetSeconds }) => `"${policy}";r=${remaining};t=${resetSeconds}`).join(', '),
  });
  const waits = counts.filter((count) => !count.allowed).map((count) => count.resetSeconds);
  if (waits.length > 0) throw new Throttled(Math.max(...waits));
}

/** Worked out once per request, though the anon and user throttles both ask. */
const clientIdents = new WeakMap<RequestContext, string>();

/**
 * The client's address: the peer's, or with Express's `trust proxy` set (TRUSTED_PROXIES)
 * the nearest address in X-Forwarded-For that is not a trusted proxy. IPv6 clients are
 * keyed by their /56 network, as one subscriber usually holds a whole /56 or /64.
 */
function clientIdent(ctx: RequestContext): string {
  let ident = clientIdents.get(ctx);
  if (ident === undefined) {
    ident = ipKeyGenerator(ctx.req.ip ?? ctx.req.socket.remoteAddress ?? 'unknown');
    clientIdents.set(ctx, ident);
  }
  return ident;
}

/** DRF's SimpleRateThrottle: a rate chosen by scope name, a cache key per request, a counter per scope. */
abstract class SimpleRateThrottle implements Throttle {
  private readonly counters = new Map<string, Counter>();

  constructor(
    private readonly rates: ThrottleRates,
    private readonly store: CounterStore,
  ) {}

  protected rateOf(scope: string) {
    const rate = this.rates[scope];
    if (rate === undefined) throw new Error(`No default throttle rate set for '${scope}' scope`);
    return rate;
  }

  /** The rate's name; undefined when the throttle does not apply to this view. */
  protected abstract scopeOf(ctx: RequestContext): string | undefined;
  /** Whose requests are counted together; null when the request is not throttled. */
  protected abstract keyOf(ctx: RequestContext): string | null;

  async check(ctx: RequestContext): Promise<ThrottleCount | null> {
    const scope = this.scopeOf(ctx);
    if (scope === undefined) return null;
    const rate = this.rateOf(scope);
    if (rate === null) return null; // before the key: a rate of `none` costs no address parsing
    const key = this.keyOf(ctx);
    if (key === null) return null;
    let counter = this.counters.get(scope);
    if (!counter) this.counters.set(scope, (counter = this.store.counter(scope, rate.windowSeconds)));
    const hits = await counter.hit(key);
    if (hits === null) return null;
    return {
      policy: scope,
      rate,
      allowed: hits.totalHits <= rate.limit,
      remaining: Math.max(0, rate.limit - hits.totalHits),
      resetSeconds: Math.max(1, Math.ceil((hits.resetTime.getTime() - Date.now()) / 1000)),
    };
  }
}

/** The user's id when authenticated, else the client address (DRF's UserRateThrottle key). */
const userOrClient = (ctx: RequestContext) => (ctx.user ? `user:${ctx.user.id}` : `ip:${clientIdent(ctx)}`);

/** Unauthenticated requests, by client address (rate `anon`). */
export class AnonRateThrottle extends SimpleRateThrottle {
  protected scopeOf() {
    return 'anon';
  }
  protected keyOf(ctx: RequestContext) {
    return ctx.user ? null : `ip:${clientIdent(ctx)}`;
  }
}

/** Every request, by user id, or by client address when anonymous (rate `user`). */
export class UserRateThrottle extends SimpleRateThrottle {
  protected scopeOf() {
    return 'user';
  }
  protected keyOf(ctx: RequestContext) {
    return userOrClient(ctx);
  }
}

/**
 * Requests to views declaring `throttleScope`, by user id or client address, at the
 * scope's rate; views of one scope share their counts. Login views are anonymous, so
 * they are counted per client address, never per username tried: an attacker guessing
 * a victim's password exhausts only the attacker's own quota, not the victim's.
 */
export class ScopedRateThrottle extends SimpleRateThrottle {
  checkView({ throttleScope }: ViewSpec) {
    const scopes = typeof throttleScope === 'object' ? Object.values(throttleScope) : [throttleScope];
    for (const scope of scopes) if (scope !== undefined) this.rateOf(scope);
  }
  protected scopeOf(ctx: RequestContext) {
    return ctx.throttleScope;
  }
  protected keyOf(ctx: RequestContext) {
    return userOrClient(ctx);
  }
}
