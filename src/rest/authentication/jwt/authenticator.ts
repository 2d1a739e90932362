// SimpleJWT's JWTAuthentication: `Authorization: Bearer <access token>`.
import { AuthenticationFailed } from '../../errors.js';
import type { Authenticator, RequestContext, SecuritySchemeDocs } from '../../types.js';
import { authorizationCredential } from '../index.js';
import type { JwtService } from './service.js';

/** drf-spectacular's name and scheme for SimpleJWT's bearer tokens. */
export const jwtSecurityScheme: SecuritySchemeDocs = { name: 'jwtAuth', scheme: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } };

export const bearerChallenge = 'Bearer realm="api"';

/** `Authorization: Bearer <access token>` (the keyword is case-sensitive, as in SimpleJWT). */
export function jwtAuthentication(service: JwtService): Authenticator {
  return {
    authenticateHeader: bearerChallenge,
    securityScheme: jwtSecurityScheme,
    async authenticate(ctx: RequestContext) {
      const header = authorizationCredential(ctx, 'Bearer', { caseSensitive: true });
      if (header === null) return null;
      if ('invalid' in header) {
        throw new AuthenticationFailed({
          detail: 'Authorization header must contain two space-delimited values',
          code: 'bad_authorization_header',
        });
      }
      const { user, claims } = await service.userForAccessToken(header.credential);
      return { user, auth: claims };
    },
  };
}
