// Password hashing in Django's bcrypt_sha256 format ("bcrypt_sha256$$2b$12$…"):
// SHA-256 first, so passwords longer than bcrypt's 72 bytes are not truncated, and
// hashes stay readable by Django's BCryptSHA256PasswordHasher (and ours can read theirs).
import { createHash, randomBytes } from 'node:crypto';
import bcrypt from 'bcrypt';

const prefix = 'bcrypt_sha256$';

const prehash = (password: string) => createHash('sha256').update(password, 'utf8').digest('hex');

export class PasswordHasher {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly rounds: number) {}

  async hash(password: string): Promise<string> {
    return prefix + (await bcrypt.hash(prehash(password), this.rounds));
  }

  async verify(password: string, encoded: string): Promise<boolean> {
    if (!encoded.startsWith(prefix)) return false;
    return bcrypt.compare(prehash(password), encoded.slice(prefix.length));
  }

  /** Django's must_update: a hash made with another cost is re-made at the next successful login. */
  needsUpgrade(encoded: string): boolean {
    const cost = /^bcrypt_sha256\$\$2[aby]\$(\d{2})\$/.exec(encoded)?.[1];
    return cost !== undefined && Number(cost) !== this.rounds;
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
    await this.verify(password, await this.dummyHash);
    return false;
  }
}
