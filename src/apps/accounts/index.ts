// The accounts app: users, password hashing and JWT (SimpleJWT's views and blacklist).
import type { AppConfig } from '../../config.js';
import type { Database } from '../../db/index.js';
import { JwtService, jwtAuthentication, jwtViews } from '../../rest/authentication/jwt.js';
import type { ViewSpec } from '../../rest/views.js';
import { PasswordHasher } from './passwords.js';
import { refreshTokenRegistry } from './token-blacklist.js';
import { Users } from './users.js';

export function accountsApp(config: AppConfig, db: Database) {
  const users = new Users(db.prisma, new PasswordHasher(config.bcryptRounds));
  const jwt = new JwtService({ signingKey: config.secretKey, ...config.jwt }, refreshTokenRegistry(db.prisma), users);
  const token = jwtViews(jwt);
  // Password guessing is throttled per client address by the tight `login` scope.
  const obtain: ViewSpec = { ...token.obtain, throttleScope: 'login' };
  const routes: [string, ViewSpec][] = [
    ['/api/token/', obtain],
    ['/api/token/refresh/', token.refresh],
    ['/api/token/verify/', token.verify],
    ['/api/token/blacklist/', token.blacklist],
    // Djoser's JWT aliases.
    ['/auth/jwt/create/', obtain],
    ['/auth/jwt/refresh/', token.refresh],
    ['/auth/jwt/verify/', token.verify],
  ];
  return { users, jwt, authenticators: [jwtAuthentication(jwt)], routes };
}
