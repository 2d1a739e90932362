// Django's password hashers (django.contrib.auth.hashers), so the hashes of a Django user base
// work here unchanged, and ours work in Django. PASSWORD_HASHERS lists the accepted ones as
// Django's setting does: the first makes every new hash, the others are only read, and a
// user whose hash was made by another hasher (or with another cost) gets a new one made by
// the first at their next successful login (Django's must_update).
import { createHash, pbkdf2, randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import * as argon2 from '@node-rs/argon2';
import bcrypt from 'bcrypt';
import { sameSecret } from '../../rest/authentication/keys.js';
import { defaultPasswordHashers, type HasherName } from '../../password-hasher-names.js';

export { defaultPasswordHashers, hasherNames, weakHasherNames, type HasherName } from '../../password-hasher-names.js';

interface Hasher {
  verify(password: string, encoded: string): Promise<boolean>;
  /** A new hash, in Django's format; absent for the weak hashers. */
  encode?(password: string): Promise<string>;
  /** Django's must_update, for the preferred hasher: a hash of its own made with other parameters. */
  mustUpdate?(encoded: string): boolean;
}

const pbkdf2Async = promisify(pbkdf2);
const saltAlphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** Django's salt(): 22 letters and digits (128 bits). */
const randomSalt = () => Array.from({ length: 22 }, () => saltAlphabet[randomInt(saltAlphabet.length)]).join('');

/** Django 5.2's iteration count for new PBKDF2 hashes; stored hashes keep their own. */
const pbkdf2Iterations = 1_000_000;

/** `pbkdf2_sha256$<iterations>$<salt>$<base64 digest>`, any iteration count. */
function pbkdf2Hasher(algorithm: 'pbkdf2_sha256' | 'pbkdf2_sha1'): Hasher {
  const digest = algorithm === 'pbkdf2_sha256' ? 'sha256' : 'sha1';
  const length = digest === 'sha256' ? 32 : 20;
  const derive = async (password: string, salt: string, iterations: number) =>
    (await pbkdf2Async(Buffer.from(password, 'utf8'), Buffer.from(salt, 'utf8'), iterations, length, digest)).toString('base64');
  const parse = (encoded: string) => {
    const [name, iterations, salt, hash, ...rest] = encoded.split('$');
    if (name !== algorithm || rest.length > 0 || salt === undefined || hash === undefined || !/^[1-9]\d{0,9}$/.test(iterations ?? '')) return null;
    return { iterations: Number(iterations), salt, hash };
  };
  return {
    async encode(password) {
      const salt = randomSalt();
      return `${algorithm}$${pbkdf2Iterations}$${salt}$${await derive(password, salt, pbkdf2Iterations)}`;
    },
    async verify(password, encoded) {
      const parsed = parse(encoded);
      return parsed !== null && sameSecret(await derive(password, parsed.salt, parsed.iterations), parsed.hash);
    },
    mustUpdate: (encoded) => parse(encoded)?.iterations !== pbkdf2Iterations,
  };
}

/**
 * `bcrypt$$2b$12$…`, and `bcrypt_sha256$$2b$12$…`, which hashes the password with SHA-256
 * first so passwords longer than bcrypt's 72 bytes are not truncated. bcrypt compares in constant time.
 */
function bcryptHasher(algorithm: 'bcrypt_sha256' | 'bcrypt', rounds: number): Hasher {
  const prefix = `${algorithm}$`;
  const input = algorithm === 'bcrypt_sha256' ? (password: string) => createHash('sha256').update(password, 'utf8').digest('hex') : (password: string) => password;
  return {
    encode: async (password) => prefix + (await bcrypt.hash(input(password), rounds)),
    verify: async (password, encoded) => encoded.startsWith(prefix) && bcrypt.compare(input(password), encoded.slice(prefix.length)),
    mustUpdate(encoded) {
      const cost = /^\$2[aby]\$(\d{2})\$/.exec(encoded.slice(prefix.length))?.[1];
      return cost === undefined || Number(cost) !== rounds;
    },
  };
}

/** Django's Argon2PasswordHasher parameters (argon2id, 100 MiB, two passes, eight lanes, 16-byte hash). */
const argon2Parameters = { algorithm: 2 satisfies argon2.Algorithm.Argon2id, timeCost: 2, memoryCost: 102_400, parallelism: 8, outputLen: 16 } as const;

/** `argon2` followed by the PHC string: `argon2$argon2id$v=19$m=102400,t=2,p=8$<salt>$<hash>` (argon2i too). */
function argon2Hasher(): Hasher {
  const prefix = 'argon2$';
  const phc = (encoded: string) => (encoded.startsWith(prefix) ? encoded.slice(prefix.length - 1) : null);
  return {
    encode: async (password) => `argon2${await argon2.hash(password, { ...argon2Parameters, salt: Buffer.from(randomSalt()) })}`,
    async verify(password, encoded) {
      const hashed = phc(encoded);
      // A malformed PHC string is refused by the library: a stored hash that verifies nothing.
      return hashed !== null && argon2.verify(hashed, password).catch(() => false);
    },
    mustUpdate(encoded) {
      const hashed = phc(encoded);
      if (hashed === null) return true;
      try {
        const made = argon2.parseOptions(hashed);
        const { algorithm, timeCost, memoryCost, parallelism } = argon2Parameters;
        const latestVersion = 1 satisfies argon2.Version.V0x13;
        return !(made.algorithm === algorithm && made.version === latestVersion && made.timeCost === timeCost && made.memoryCost === memoryCost && made.parallelism === parallelism);
      } catch {
        return true;
      }
    },
  };
}

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/** `md5$<salt>$<hex>`: one MD5 of salt and password. */
const md5Hasher: Hasher = {
  async verify(password, encoded) {
    const [name, salt, hash, ...rest] = encoded.split('$');
    return name === 'md5' && salt !== undefined && salt !== '' && hash !== undefined && rest.length === 0 && sameSecret(md5(salt + password), hash);
  },
};

/** A bare MD5 hex digest, or `md5$$<hex>` (as Django reads it too). */
const unsaltedMd5Hasher: Hasher = {
  verify: async (password, encoded) => sameSecret(md5(password), encoded.startsWith('md5$$') ? encoded.slice(5) : encoded),
};

/** Django's identify_hasher: the algorithm an encoded password names. */
export function algorithmOf(encoded: string): string {
  if ((encoded.length === 32 && !encoded.includes('$')) || (encoded.length === 37 && encoded.startsWith('md5$$'))) return 'unsalted_md5';
  const end = encoded.indexOf('$');
  return end === -1 ? '' : encoded.slice(0, end);
}

function makeHasher(name: HasherName, bcryptRounds: number): Hasher {
  switch (name) {
    case 'bcrypt_sha256':
    case 'bcrypt':
      return bcryptHasher(name, bcryptRounds);
    case 'pbkdf2_sha256':
    case 'pbkdf2_sha1':
      return pbkdf2Hasher(name);
    case 'argon2':
      return argon2Hasher();
    case 'md5':
      return md5Hasher;
    case 'unsalted_md5':
      return unsaltedMd5Hasher;
  }
}

export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;
  private readonly preferredName: HasherName;
  private readonly preferred: Required<Hasher>;
  private readonly accepted: Map<string, Hasher>;

  /** `hashers`: PASSWORD_HASHERS, first the one that makes new hashes (never a weak one). */
  constructor(bcryptRounds: number, hashers: readonly HasherName[] = defaultPasswordHashers) {
    this.accepted = new Map(hashers.map((name) => [name, makeHasher(name, bcryptRounds)]));
    this.preferredName = hashers[0]!;
    const preferred = this.accepted.get(this.preferredName);
    if (!preferred?.encode || !preferred.mustUpdate) throw new Error(`${this.preferredName} cannot make new password hashes`);
    this.preferred = preferred as Required<Hasher>;
  }

  hash(password: string): Promise<string> {
    return this.preferred.encode(password);
  }

  /**
   * Django's check_password. An unusable password ("!…"), a format no accepted hasher
   * reads, or a malformed hash never matches, after the time of one check all the same.
   */
  async verify(password: string, encoded: string): Promise<boolean> {
    const hasher = encoded.startsWith('!') ? undefined : this.accepted.get(algorithmOf(encoded));
    if (!hasher) return this.verifyNothing(password);
    return hasher.verify(password, encoded);
  }

  /** Django's must_update, for a hash that just verified: made by another hasher, or with other parameters. */
  needsUpgrade(encoded: string): boolean {
    return algorithmOf(encoded) !== this.preferredName || this.preferred.mustUpdate(encoded);
  }

  /** Django's make_password(None): "!" and random text, which no password ever matches. */
  unusable(): string {
    return `!${randomBytes(30).toString('base64url')}`;
  }

  /**
   * Spends the same time as verify() when there is no user to check against, so a
   * login for an unknown username cannot be told apart by its timing (Django does the same).
   */
  async verifyNothing(password: string): Promise<false> {
    this.dummyHash ??= this.hash('timing-equalizer');
    await this.preferred.verify(password, await this.dummyHash);
    return false;
  }
}
