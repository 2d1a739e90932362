// Secrets handed to clients (DRF token keys, session keys) and what the database keeps
// in their place: a SHA-256 digest, so a leaked table hands out no usable credential.
// A key carries 160 random bits, so a fast digest is enough (nothing to brute-force),
// and lookups by digest never compare the secret itself: response times can depend only
// on digest bytes, from which no key can be rebuilt.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 40 hex characters, the shape of DRF's token keys. */
export const generateKey = (): string => randomBytes(20).toString('hex');

export const digestOf = (key: string): string => createHash('sha256').update(key, 'utf8').digest('hex');

/** Constant-time equality of two secrets (length aside, which is public). */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
