// The password hashers' names, apart from the hashers themselves (apps/accounts/passwords.ts):
// a project fact, as installed.ts is, so config.ts checks PASSWORD_HASHERS without importing an
// app, and the supervising main thread, which checks it, does not load bcrypt and argon2 to read them.

/** Django's algorithm names; md5 and unsalted_md5 are only ever read, and only when listed. */
export const hasherNames = ['bcrypt_sha256', 'pbkdf2_sha256', 'pbkdf2_sha1', 'argon2', 'bcrypt', 'md5', 'unsalted_md5'] as const;
export type HasherName = (typeof hasherNames)[number];
/** Unsalted or fast digests: a hash of theirs is cheap to guess from, so none is made with them. */
export const weakHasherNames: readonly HasherName[] = ['md5', 'unsalted_md5'];
/** Ours first; then Django's defaults, so a Django project's hashes verify without configuration. */
export const defaultPasswordHashers: readonly HasherName[] = ['bcrypt_sha256', 'pbkdf2_sha256', 'pbkdf2_sha1', 'argon2', 'bcrypt'];
