// The password hashers' names, apart from the hashers themselves (./passwords.ts): the
// configuration checks PASSWORD_HASHERS in the cluster primary, which must not load bcrypt and
// argon2 only to read these lists.

/** Django's algorithm names; md5 and unsalted_md5 are only ever read, and only when listed. */
export const hasherNames = ['bcrypt_sha256', 'pbkdf2_sha256', 'pbkdf2_sha1', 'argon2', 'bcrypt', 'md5', 'unsalted_md5'] as const;
export type HasherName = (typeof hasherNames)[number];
/** Unsalted or fast digests: a hash of theirs is cheap to guess from, so none is made with them. */
export const weakHasherNames: readonly HasherName[] = ['md5', 'unsalted_md5'];
/** Ours first; then Django's defaults, so a Django project's hashes verify without configuration. */
export const defaultPasswordHashers: readonly HasherName[] = ['bcrypt_sha256', 'pbkdf2_sha256', 'pbkdf2_sha1', 'argon2', 'bcrypt'];
