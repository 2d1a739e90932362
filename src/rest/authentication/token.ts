// DRF's TokenAuthentication (`Authorization: Token <key>`) and obtain_auth_token, hardened:
// the database keeps only a digest of each key (keys.ts), every login gets its own token
// (logging out one device leaves the others signed in), and tokens may expire (TOKEN_TTL).
import { isUtf8 } from 'node:buffer';
import { z } from 'zod';
import { AuthenticationFailed, ValidationError } from '../errors.js';
import { charField } from '../fields/index.js';
import { AllowAny } from '../permissions/index.js';
import { jsonRenderer } from '../renderers/index.js';
import { validate } from '../serializers/index.js';
import { postForm } from '../views/metadata.js';
import { authorizationCredential } from './index.js';
import { digestOf, generateKey } from './keys.js';
import type { Authenticator, AuthUser, CredentialsChecker, RequestContext, SecuritySchemeDocs, ViewSpec } from '../types.js';

/**
 * drf-spectacular's name and scheme for DRF's TokenAuthentication. Swagger UI sends an apiKey
 * header's value verbatim, so the description says to type the keyword too.
 */
export const tokenSecurityScheme: SecuritySchemeDocs = {
  name: 'tokenAuth',
  scheme: {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'Token-based authentication with required prefix "Token": type `Token <key>` (the word Token, a space, then the key).',
  },
};

/** One issued token as stored: never the key, only its digest. */
export interface AuthToken {
  digest: string;
  createdAt: Date;
  user: AuthUser;
}

/** DRF's authtoken.Token model, one row per login. */
export interface TokenStore {
  create(token: { digest: string; userId: number }): Promise<void>;
  find(digest: string): Promise<AuthToken | null>;
  delete(digest: string): Promise<void>;
  deleteAllOf(userId: number): Promise<void>;
  /** Deletes the tokens created at or before `cutoff`; how many there were. */
  deleteExpired(cutoff: Date): Promise<number>;
}

export class TokenService {
  constructor(
    private readonly store: TokenStore,
    /** Seconds a token lives after it was issued; null: until logout, as in DRF. */
    private readonly ttl: number | null,
  ) {}

  /** A new token for the user; its key is returned here once and never again. */
  async issue(userId: number): Promise<string> {
    const key = generateKey();
    await this.store.create({ digest: digestOf(key), userId });
    return key;
  }

  /** DRF's authenticate_credentials, with expiry. */
  async authenticate(key: string): Promise<AuthToken> {
    const token = await this.store.find(digestOf(key));
    if (!token) throw new AuthenticationFailed('Invalid token.');
    if (this.ttl !== null && token.createdAt.getTime() + this.ttl * 1000 <= Date.now()) {
      await this.store.delete(token.digest);
      throw new AuthenticationFailed('Invalid token.');
    }
    if (!token.user.isActive) throw new AuthenticationFailed('User inactive or deleted.');
    return token;
  }

  revoke(token: AuthToken): Promise<void> {
    return this.store.delete(token.digest);
  }

  revokeAllOf(userId: number): Promise<void> {
    return this.store.deleteAllOf(userId);
  }

  /** Deletes every token past TOKEN_TTL (none without one), as authenticate() would; how many. */
  async deleteExpired(): Promise<number> {
    return this.ttl === null ? 0 : this.store.deleteExpired(new Date(Date.now() - this.ttl * 1000));
  }
}

const keyword = 'Token';

/** `Authorization: Token <key>`; the keyword is case-insensitive, as in DRF. */
export function tokenAuthentication(service: TokenService): Authenticator {
  return {
    authenticateHeader: keyword,
    securityScheme: tokenSecurityScheme,
    async authenticate(ctx) {
      const header = authorizationCredential(ctx, keyword);
      if (header === null) return null;
      if ('invalid' in header) {
        throw new AuthenticationFailed(
          header.invalid === 'missing'
            ? 'Invalid token header. No credentials provided.'
            : 'Invalid token header. Token string should not contain spaces.',
        );
      }
      // DRF decodes the key's bytes as UTF-8 (Node read them as Latin-1).
      if (!isUtf8(Buffer.from(header.credential, 'latin1'))) {
        throw new AuthenticationFailed('Invalid token header. Token string should not contain invalid characters.');
      }
      const token = await service.authenticate(header.credential);
      return { user: token.user, auth: token };
    },
  };
}

export const unableToLogIn = 'Unable to log in with provided credentials.';

/** DRF's AuthTokenSerializer: the password keeps its spaces. */
export const authTokenRequest = z
  .object({ username: charField(), password: charField({ trimWhitespace: false }) })
  .meta({ id: 'AuthTokenRequest' });

/** A token key as handed out: 40 hex characters, shown once. */
export const tokenKey = z
  .string()
  .regex(/^[0-9a-f]{40}$/)
  .meta({ description: 'The key, shown only this once: send it as `Authorization: Token <key>`.' });
const authTokenResponse = z.object({ token: tokenKey }).meta({ id: 'AuthToken' });

/** A login body; a schema whose fields are optional (Djoser's) lets a missing one fail as bad credentials do. */
type CredentialsRequest = z.ZodObject<{ username: z.ZodType<string | undefined>; password: z.ZodType<string | undefined> }>;

/** DRF's AuthTokenSerializer.validate: the active user the body's credentials name, else 400. */
export async function userFromCredentials(ctx: RequestContext, users: CredentialsChecker, request: CredentialsRequest = authTokenRequest): Promise<AuthUser> {
  const { username, password } = validate(request, ctx.data());
  const user = username === undefined || password === undefined ? null : await users.checkCredentials(username, password);
  if (!user) throw new ValidationError({ non_field_errors: [unableToLogIn] });
  return user;
}

/**
 * DRF's obtain_auth_token (POST `{"username","password"}` → `{"token"}`). Unlike DRF's
 * get_or_create, every call issues a new token, so each client holds its own.
 */
export function obtainAuthTokenView(service: TokenService, users: CredentialsChecker): ViewSpec {
  return {
    name: 'Obtain Auth Token',
    // No description: ObtainAuthToken has no docstring, so DRF's OPTIONS says "".
    permissions: [AllowAny],
    // AuthTokenSerializer's fields: username, password, and the read-only token.
    form: postForm(authTokenRequest, authTokenResponse),
    // ObtainAuthToken's own renderer_classes and parser_classes: JSON only (no browsable API),
    // and form bodies first.
    renderers: [jsonRenderer],
    parsers: ['application/x-www-form-urlencoded', 'multipart/form-data', 'application/json'],
    handlers: {
      POST: async (ctx) => {
        const user = await userFromCredentials(ctx, users);
        return { body: { token: await service.issue(user.id) } satisfies z.output<typeof authTokenResponse> };
      },
    },
    // Bad credentials answer 400 `{"non_field_errors": [...]}`: the ValidationError response of every request body.
    docs: { POST: { request: authTokenRequest, responses: { 200: authTokenResponse } } },
  };
}
