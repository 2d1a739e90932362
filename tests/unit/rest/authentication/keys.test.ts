// The secrets handed to clients and the digests the database keeps in their place.
import { describe, expect, it } from 'vitest';
import { digestOf, generateKey, sameSecret } from '../../../../src/rest/authentication/keys.js';

describe('keys', () => {
  it('generateKey gives 40 hex characters (DRF token keys), a new one each time', () => {
    const keys = new Set(Array.from({ length: 100 }, generateKey));
    expect(keys.size).toBe(100);
    for (const key of keys) expect(key).toMatch(/^[0-9a-f]{40}$/);
  });

  it('digestOf is the hex SHA-256 of the key’s UTF-8 bytes', () => {
    expect(digestOf('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(digestOf('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(digestOf('é')).not.toBe(digestOf('e\u0301')); // bytes, not a normalized form
  });

  it('sameSecret is equality, including for secrets of different lengths (no throw)', () => {
    const key = generateKey();
    expect(sameSecret(key, key)).toBe(true);
    expect(sameSecret(key, `${key.slice(0, -1)}${key.endsWith('0') ? '1' : '0'}`)).toBe(false);
    expect(sameSecret(key, key.slice(0, -1))).toBe(false);
    expect(sameSecret('é', 'e')).toBe(false);
    expect(sameSecret('', '')).toBe(true);
  });
});
