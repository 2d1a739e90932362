// Django's password hashers, checked against Django's own output: every hash in
// tests/fixtures/django/password-hashes.json was printed by Django 3.2.25 (the DRF reference,
// with Debian's python3-argon2 and python3-bcrypt) running password-hashes.py beside it:
//   cd ../shared/bench/drf && python3 manage.py shell -c "exec(open('…/password-hashes.py').read())"
// Django's default parameters once (pbkdf2 260000 iterations, argon2id m=102400, bcrypt cost 12),
// then cheap ones for the other passwords (unicode, longer than bcrypt's 72 bytes, empty).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { algorithmOf, defaultPasswordHashers, hasherNames, PasswordHasher, type HasherName } from '../../src/apps/accounts/passwords.js';

const vectors = JSON.parse(readFileSync(new URL('../fixtures/django/password-hashes.json', import.meta.url), 'utf8')) as { password: string; encoded: string }[];
const everyHasher = new PasswordHasher(4, hasherNames);

describe("Django's hashes", () => {
  it('cover every hasher', () => {
    expect(new Set(vectors.map((v) => algorithmOf(v.encoded)))).toEqual(new Set(hasherNames));
  });

  it.each(vectors)('$encoded verifies $password, and nothing else', async ({ password, encoded }) => {
    expect(await everyHasher.verify(password, encoded)).toBe(true);
    // (Past 72 bytes bcrypt reads nothing more: a changed end is the next test's.)
    const wrong = [`!${password}`, ...(Buffer.byteLength(password) < 72 ? [`${password}!`] : [])];
    for (const other of wrong) expect(await everyHasher.verify(other, encoded)).toBe(false);
  });

  it('bcrypt reads only the first 72 bytes, bcrypt_sha256 all of them (as in Django)', async () => {
    const long = vectors.filter((v) => v.password.length === 81);
    const truncated = 'x'.repeat(80) + 'z';
    expect(await everyHasher.verify(truncated, long.find((v) => v.encoded.startsWith('bcrypt$'))!.encoded)).toBe(true);
    expect(await everyHasher.verify(truncated, long.find((v) => v.encoded.startsWith('bcrypt_sha256$'))!.encoded)).toBe(false);
  });
});

describe('PasswordHasher', () => {
  const alice = vectors.find((v) => v.encoded.startsWith('pbkdf2_sha256$260000$'))!;

  it('reads md5 and unsalted_md5 only when they are listed', async () => {
    const byDefault = new PasswordHasher(4);
    for (const { password, encoded } of vectors.filter((v) => ['md5', 'unsalted_md5'].includes(algorithmOf(v.encoded)))) {
      expect(await byDefault.verify(password, encoded)).toBe(false);
    }
  });

  it('reads only the hashers listed', async () => {
    const bcryptOnly = new PasswordHasher(4, ['bcrypt_sha256']);
    expect(await bcryptOnly.verify(alice.password, alice.encoded)).toBe(false);
    expect(await new PasswordHasher(4, ['bcrypt_sha256', 'pbkdf2_sha256']).verify(alice.password, alice.encoded)).toBe(true);
  });

  it('never verifies an unusable password, a malformed hash or an unknown algorithm', async () => {
    const hasher = new PasswordHasher(4);
    const malformed = ['', '!', `!${alice.encoded}`, hasher.unusable(), 'pbkdf2_sha256$0$salt$abc', 'pbkdf2_sha256$1000$salt', 'argon2$argon2id$v=19$garbage', 'bcrypt$$2b$04$short', 'sha1$salt$abc', 'crypt$$ab'];
    for (const encoded of malformed) expect(await hasher.verify(alice.password, encoded)).toBe(false);
  });

  it('makes bcrypt_sha256 hashes by default, at the configured cost', async () => {
    const encoded = await new PasswordHasher(5).hash('s3cret');
    expect(encoded).toMatch(/^bcrypt_sha256\$\$2b\$05\$/);
    expect(await new PasswordHasher(5).verify('s3cret', encoded)).toBe(true);
  });

  it.each<[HasherName, RegExp]>([
    ['pbkdf2_sha256', /^pbkdf2_sha256\$1000000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=$/],
    ['argon2', /^argon2\$argon2id\$v=19\$m=102400,t=2,p=8\$[A-Za-z0-9+/]{30}\$[A-Za-z0-9+/]{22}$/],
    ['bcrypt', /^bcrypt\$\$2b\$04\$/],
  ])('makes %s hashes in the format Django writes when it is first', async (name, format) => {
    const hasher = new PasswordHasher(4, [name, ...defaultPasswordHashers.filter((other) => other !== name)]);
    const encoded = await hasher.hash('s3cret');
    expect(encoded).toMatch(format);
    expect(await hasher.verify('s3cret', encoded)).toBe(true);
    expect(hasher.needsUpgrade(encoded)).toBe(false);
  });

  it("asks for an upgrade of another hasher's hash, or of its own made with another cost (must_update)", () => {
    const hasher = new PasswordHasher(12);
    const byAlgorithm = (prefix: string) => vectors.filter((v) => v.encoded.startsWith(prefix)).map((v) => v.encoded);
    for (const encoded of byAlgorithm('pbkdf2_')) expect(hasher.needsUpgrade(encoded)).toBe(true);
    for (const encoded of byAlgorithm('argon2$')) expect(hasher.needsUpgrade(encoded)).toBe(true);
    for (const encoded of byAlgorithm('bcrypt$')) expect(hasher.needsUpgrade(encoded)).toBe(true);
    expect(byAlgorithm('bcrypt_sha256$$2b$12$').map((encoded) => hasher.needsUpgrade(encoded))).toEqual([false]);
    expect(byAlgorithm('bcrypt_sha256$$2b$04$').every((encoded) => hasher.needsUpgrade(encoded))).toBe(true);
    const argon2First = new PasswordHasher(4, ['argon2']);
    expect(byAlgorithm('argon2$argon2id$v=19$m=102400,t=2,p=8$').map((encoded) => argon2First.needsUpgrade(encoded))).toEqual([false]);
    expect(byAlgorithm('argon2$argon2i$').every((encoded) => argon2First.needsUpgrade(encoded))).toBe(true);
    const pbkdf2First = new PasswordHasher(4, ['pbkdf2_sha256']);
    expect(byAlgorithm('pbkdf2_sha256$').every((encoded) => pbkdf2First.needsUpgrade(encoded))).toBe(true);
  });

  it('refuses a weak hasher as the one making new hashes', () => {
    expect(() => new PasswordHasher(4, ['md5', 'bcrypt_sha256'])).toThrow('md5 cannot make new password hashes');
  });
});
