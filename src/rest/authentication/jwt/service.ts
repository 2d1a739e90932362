// SimpleJWT's tokens: access/refresh tokens (HS256, algorithm pinned), rotation with
// blacklist-after-rotation, SimpleJWT's exact error bodies. The blacklist lives in the database
// (a RefreshTokenRegistry), so it survives restarts and is shared by every instance.
import { createSecretKey, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { AuthenticationFailed } from '../../errors.js';
import { parsePrimaryKey } from '../../fields/python.js';
import type { AuthUser, CredentialsChecker } from '../../types.js';

export interface JwtSettings {
  signingKey: string;
  /** Seconds. */
  accessLifetime: number;
  refreshLifetime: number;
  rotateRefreshTokens: boolean;
  blacklistAfterRotation: boolean;
}

export interface IssuedToken {
  jti: string;
  userId: number;
  expiresAt: Date;
}

/** What blacklisting records of a token: no user, as SimpleJWT's blacklist() (a token may name any). */
export type BlacklistedToken = Pick<IssuedToken, 'jti' | 'expiresAt'>;

/** SimpleJWT's token_blacklist app: OutstandingToken and BlacklistedToken. */
export interface RefreshTokenRegistry {
  recordIssued(token: IssuedToken): Promise<void>;
  isBlacklisted(jti: string): Promise<boolean>;
  /**
   * Blacklists the token, recording it first when it is not yet (it may have been issued elsewhere
   * with the same key); false when it already was, so of two concurrent reuses only one wins.
   */
  blacklist(token: BlacklistedToken): Promise<boolean>;
}

export interface JwtUsers extends CredentialsChecker {
  /** The user a token names, or null when deleted. */
  byId(id: number): Promise<AuthUser | null>;
}

type TokenType = 'access' | 'refresh';
interface Claims {
  token_type: TokenType;
  exp: number;
  iat: number;
  jti: string;
  user_id: number;
}

/**
 * The user a token's user_id claim names, as SimpleJWT's User.objects.get(id=…) reads it (Django's
 * int() coercion: `"7"`, `7.5` and `true` are users 7, 7 and 1): null when no user can have it (null,
 * zero, out of range), undefined when the claim is absent or int() refuses it (a 500 in Django).
 */
function claimedUserId(claims: Claims): number | null | undefined {
  const claim: unknown = claims.user_id;
  if (claim === undefined) return undefined;
  if (claim === null) return null;
  if (typeof claim === 'boolean') return claim ? 1 : null;
  return parsePrimaryKey(typeof claim === 'number' ? Math.trunc(claim) : claim)?.id;
}

/** SimpleJWT's TokenError: the message names what is wrong with the token. */
export class TokenError extends Error {}

/** SimpleJWT's AuthenticationFailed/InvalidToken bodies carry a `code`. */
export const invalidToken = (detail: string, extra: Record<string, unknown> = {}) =>
  new AuthenticationFailed({ detail, code: 'token_not_valid', ...extra });

const tokenClasses = { access: 'AccessToken', refresh: 'RefreshToken' } as const;
const algorithm = 'HS256';

export class JwtService {
  /**
   * A secret KeyObject, made once: handed a Buffer, jsonwebtoken would first try to read it
   * as a public key on every verify (createPublicKey, which throws) before falling back.
   */
  private readonly key: KeyObject;

  constructor(
    private readonly settings: JwtSettings,
    private readonly registry: RefreshTokenRegistry,
    readonly users: JwtUsers,
  ) {
    this.key = createSecretKey(Buffer.from(settings.signingKey, 'utf8'));
  }

  private sign(claims: Claims): string {
    // Not `noTimestamp`: that option deletes the payload's own `iat`, which SimpleJWT tokens carry.
    return jwt.sign(claims, this.key, { algorithm });
  }

  private claimsFor(type: TokenType, userId: number, now = Math.floor(Date.now() / 1000)): Claims {
    const lifetime = type === 'access' ? this.settings.accessLifetime : this.settings.refreshLifetime;
    return { token_type: type, exp: now + lifetime, iat: now, jti: randomUUID().replaceAll('-', ''), user_id: userId };
  }

  /** Signature, algorithm, expiry and the claims SimpleJWT requires; `type` checks token_type. */
  decode(token: string, type?: TokenType): Claims {
    let payload: unknown;
    try {
      payload = jwt.verify(token, this.key, { algorithms: [algorithm] });
    } catch {
      throw new TokenError('Token is invalid or expired');
    }
    const claims = payload as Partial<Claims>;
    // PyJWT: "Invalid payload string: must be a json object" (a list included).
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw new TokenError('Token is invalid or expired');
    // PyJWT, SimpleJWT's decoder, also refuses an `iat` that is not a number or lies in the future
    // (jsonwebtoken checks neither).
    const { iat } = claims as { iat?: unknown };
    if (iat !== undefined && (typeof iat !== 'number' || iat > Math.floor(Date.now() / 1000))) {
      throw new TokenError('Token is invalid or expired');
    }
    // SimpleJWT's Token.verify order: exp, then jti, then the type.
    if (claims.exp === undefined) throw new TokenError("Token has no 'exp' claim");
    if (typeof claims.jti !== 'string') throw new TokenError('Token has no id');
    if (type !== undefined) {
      if (claims.token_type === undefined) throw new TokenError('Token has no type');
      if (claims.token_type !== type) throw new TokenError('Token has wrong type');
    }
    return claims as Claims;
  }

  private async issueRefresh(userId: number): Promise<{ token: string; claims: Claims }> {
    const claims = this.claimsFor('refresh', userId);
    await this.registry.recordIssued({ jti: claims.jti, userId, expiresAt: new Date(claims.exp * 1000) });
    return { token: this.sign(claims), claims };
  }

  /**
   * RefreshToken.access_token: the refresh token's claims but its own type, jti and exp, the
   * exp counted from `now` (SimpleJWT's token.current_time: issue time of a new pair, else now).
   */
  private accessFor(refresh: Claims, now?: number): string {
    return this.sign({ ...this.claimsFor('access', refresh.user_id, now), iat: refresh.iat });
  }

  async obtainPair(user: AuthUser): Promise<{ refresh: string; access: string }> {
    const refresh = await this.issueRefresh(user.id);
    // Both of a pair count from one instant, even when recording the refresh crossed a second.
    return { refresh: refresh.token, access: this.accessFor(refresh.claims, refresh.claims.iat) };
  }

  private toBlacklist(claims: Claims): BlacklistedToken {
    return { jti: claims.jti, expiresAt: new Date(claims.exp * 1000) };
  }

  /** A refresh token that is valid and not blacklisted (SimpleJWT's RefreshToken()). */
  private async validRefresh(token: string): Promise<Claims> {
    const claims = this.decode(token, 'refresh');
    if (await this.registry.isBlacklisted(claims.jti)) throw new TokenError('Token is blacklisted');
    return claims;
  }

  async refresh(token: string): Promise<{ access: string; refresh?: string }> {
    const claims = await this.validRefresh(token);
    const userId = claimedUserId(claims);
    const user = typeof userId === 'number' ? await this.users.byId(userId) : null;
    if (!user?.isActive) {
      // DRF's AuthenticationFailed here (not SimpleJWT's), so the body has no "code", as upstream.
      throw new AuthenticationFailed('No active account found for the given token.');
    }
    const access = this.accessFor(claims);
    if (!this.settings.rotateRefreshTokens) return { access };
    if (this.settings.blacklistAfterRotation && !(await this.registry.blacklist(this.toBlacklist(claims)))) {
      throw new TokenError('Token is blacklisted'); // a concurrent refresh with the same token won
    }
    return { access, refresh: (await this.issueRefresh(user.id)).token };
  }

  async verify(token: string): Promise<void> {
    const claims = this.decode(token);
    if (await this.registry.isBlacklisted(claims.jti)) throw new TokenError('Token is blacklisted');
  }

  async blacklist(token: string): Promise<void> {
    const claims = await this.validRefresh(token);
    if (!(await this.registry.blacklist(this.toBlacklist(claims)))) throw new TokenError('Token is blacklisted');
  }

  /**
   * JWTAuthentication's get_validated_token + get_user. Beyond SimpleJWT, an access token
   * issued before the user's password last changed is refused like a blacklisted one: the
   * user is loaded anyway, so this revocation costs no query. `iat` has whole seconds, so a
   * token issued within the second of the change still passes (for its short lifetime).
   */
  async userForAccessToken(token: string): Promise<{ user: AuthUser; claims: Claims }> {
    const notValidForAnyType = (message: string) =>
      invalidToken('Given token not valid for any token type', {
        messages: [{ token_class: tokenClasses.access, token_type: 'access', message }],
      });
    let claims: Claims;
    try {
      claims = this.decode(token, 'access');
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
      throw notValidForAnyType(error.message);
    }
    const userId = claimedUserId(claims);
    if (userId === undefined) throw invalidToken('Token contained no recognizable user identification');
    const user = userId === null ? null : await this.users.byId(userId);
    if (!user) throw new AuthenticationFailed({ detail: 'User not found', code: 'user_not_found' });
    if (!user.isActive) throw new AuthenticationFailed({ detail: 'User is inactive', code: 'user_inactive' });
    const changedAt = user.credentialsChangedAt;
    // (Written so that a token without `iat` counts as issued before.)
    if (changedAt && !(claims.iat >= Math.floor(changedAt.getTime() / 1000))) throw notValidForAnyType('Token is blacklisted');
    return { user, claims };
  }
}
