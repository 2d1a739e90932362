// SimpleJWT's four token views: obtain a pair, refresh, verify, blacklist.
import { z } from 'zod';
import { AuthenticationFailed } from '../../errors.js';
import { charField } from '../../fields/index.js';
import { AllowAny } from '../../permissions/index.js';
import { validate } from '../../serializers/index.js';
import type { Authenticator, ViewSpec } from '../../types.js';
import { postForm } from '../../views/metadata.js';
import { bearerChallenge } from './authenticator.js';
import { invalidToken, TokenError, type JwtService } from './service.js';

/** Token views answer TokenError as 401 `{"detail": <reason>, "code": "token_not_valid"}`. */
async function tokenErrorsAsInvalid<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof TokenError) throw invalidToken(error.message);
    throw error;
  }
}

// Request and response bodies, named as drf-spectacular names SimpleJWT's serializers.
const credentialsSchema = z.object({ username: charField(), password: charField() }).meta({ id: 'TokenObtainPairRequest' });
const refreshSchema = z.object({ refresh: charField() }).meta({ id: 'TokenRefreshRequest' });
const blacklistSchema = z.object({ refresh: charField() }).meta({ id: 'TokenBlacklistRequest' });
const tokenSchema = z.object({ token: charField() }).meta({ id: 'TokenVerifyRequest' });
const pairSchema = z.object({ refresh: z.string(), access: z.string() }).meta({ id: 'TokenObtainPair' });
const refreshedSchema = z
  .object({ access: z.string(), refresh: z.string().optional().meta({ description: 'A new refresh token, when rotation is on.' }) })
  .meta({ id: 'TokenRefresh' });
const emptySchema = z.object({});

/**
 * The token views: no authentication, open to anyone (SimpleJWT's TokenViewBase). TokenViewBase
 * still overrides get_authenticate_header(), so its failures are 401 with `WWW-Authenticate`
 * (not the 403 DRF gives a view without authenticators): an authenticator that never claims a
 * request supplies that header.
 */
export function jwtViews(service: JwtService): Record<'obtain' | 'refresh' | 'verify' | 'blacklist', ViewSpec> {
  const challengeOnly: Authenticator = { authenticateHeader: bearerChallenge, authenticate: async () => null };
  const open = { authenticators: [challengeOnly], permissions: [AllowAny] };
  return {
    obtain: {
      ...open,
      name: 'Token Obtain Pair',
      // SimpleJWT's docstrings, line breaks included, as DRF's get_view_description gives them.
      description:
        'Takes a set of user credentials and returns an access and refresh JSON web\ntoken pair to prove the authentication of those credentials.',
      form: postForm(credentialsSchema),
      handlers: {
        POST: async (ctx) => {
          const { username, password } = validate(credentialsSchema, ctx.data());
          const user = await service.users.checkCredentials(username, password);
          if (!user) throw new AuthenticationFailed('No active account found with the given credentials');
          return { body: await service.obtainPair(user) };
        },
      },
      docs: { POST: { request: credentialsSchema, responses: { 200: pairSchema } } },
    },
    refresh: {
      ...open,
      name: 'Token Refresh',
      description: 'Takes a refresh type JSON web token and returns an access type JSON web\ntoken if the refresh token is valid.',
      form: postForm(refreshSchema, z.object({ access: z.string() })),
      handlers: {
        POST: async (ctx) => {
          const { refresh } = validate(refreshSchema, ctx.data());
          return { body: await tokenErrorsAsInvalid(() => service.refresh(refresh)) };
        },
      },
      docs: { POST: { request: refreshSchema, responses: { 200: refreshedSchema } } },
    },
    verify: {
      ...open,
      name: 'Token Verify',
      description: "Takes a token and indicates if it is valid.  This view provides no\ninformation about a token's fitness for a particular use.",
      form: postForm(tokenSchema),
      handlers: {
        POST: async (ctx) => {
          const { token } = validate(tokenSchema, ctx.data());
          await tokenErrorsAsInvalid(() => service.verify(token));
          return { body: {} };
        },
      },
      docs: { POST: { request: tokenSchema, responses: { 200: emptySchema } } },
    },
    blacklist: {
      ...open,
      name: 'Token Blacklist',
      description: 'Takes a token and blacklists it. Must be used with the\n`rest_framework_simplejwt.token_blacklist` app installed.',
      form: postForm(blacklistSchema),
      handlers: {
        POST: async (ctx) => {
          const { refresh } = validate(blacklistSchema, ctx.data());
          await tokenErrorsAsInvalid(() => service.blacklist(refresh));
          return { body: {} };
        },
      },
      docs: { POST: { request: blacklistSchema, responses: { 200: emptySchema } } },
    },
  };
}
