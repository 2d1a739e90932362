// DRF's throttle contract: every throttle of a view is asked; if any refuses,
// the request is answered 429 with the longest wait among them.
import { Throttled } from './errors.js';
import type { RequestContext } from './views.js';

export interface Throttle {
  /** Null when the request may proceed (and is counted), else the seconds to wait. */
  check(ctx: RequestContext): Promise<number | null>;
}

export async function checkThrottles(ctx: RequestContext, throttles: readonly Throttle[]): Promise<void> {
  let longestWait: number | null = null;
  for (const throttle of throttles) {
    const wait = await throttle.check(ctx);
    if (wait !== null) longestWait = Math.max(longestWait ?? 0, wait);
  }
  if (longestWait !== null) throw new Throttled(longestWait);
}
