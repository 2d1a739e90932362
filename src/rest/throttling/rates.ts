// Throttle rates (DRF's DEFAULT_THROTTLE_RATES), apart from the throttles (./index.ts):
// the configuration reads them in the supervising main thread, which serves no request.
import type { Rate } from '../types.js';

/** DEFAULT_THROTTLE_RATES: a rate per scope name; null turns that scope's throttling off (DRF's None). */
export type ThrottleRates = Readonly<Record<string, Rate | null>>;

const periods = new Map(Object.entries({ s: 1, sec: 1, second: 1, m: 60, min: 60, minute: 60, h: 3600, hour: 3600, d: 86400, day: 86400 }));

/**
 * DRF's parse_rate: "N/second|minute|hour|day" (or s, sec, m, min, h, d). "none" is null
 * (no throttling); anything else unreadable is undefined.
 */
export function parseRate(text: string): Rate | null | undefined {
  if (text === 'none') return null;
  const match = /^(\d{1,9})\/([a-z]+)$/.exec(text);
  const windowSeconds = match ? periods.get(match[2]!) : undefined;
  const limit = Number(match?.[1]);
  return windowSeconds && limit > 0 ? { limit, windowSeconds } : undefined;
}
