// The accounts app: users and passwords, and every way to authenticate: SimpleJWT,
// DRF tokens, browser sessions; Djoser's user and token endpoints.
import type { AppConfig } from '../../config.js';
import type { Database } from '../../db/index.js';
import { JwtService, jwtAuthentication, jwtViews } from '../../rest/authentication/jwt/index.js';
import { SessionService, sessionAuthentication } from '../../rest/authentication/session.js';
import { obtainAuthTokenView, TokenService, tokenAuthentication } from '../../rest/authentication/token.js';
import type { ViewSpec } from '../../rest/views/api-view.js';
import { apiRootRoute, formatSuffixPatterns, type Route } from '../../rest/views/router.js';
import { authTokenStore } from './auth-tokens.js';
import { djoserViews } from './djoser.js';
import { defaultPasswordValidators } from './password-validation.js';
import { PasswordHasher } from './passwords.js';
import { sessionView } from './session-views.js';
import { sessionStore } from './sessions.js';
import { refreshTokenRegistry } from './token-blacklist.js';
import { Users } from './users.js';

/** The users and DRF tokens of a database, as the app and the manage commands both use them. */
export function accountServices(config: Pick<AppConfig, 'bcryptRounds' | 'passwordHashers' | 'tokenTtl'>, db: Database) {
  return {
    users: new Users(db, new PasswordHasher(config.bcryptRounds, config.passwordHashers)),
    tokens: new TokenService(authTokenStore(db), config.tokenTtl),
  };
}

export function accountsApp(config: AppConfig, db: Database) {
  const { users, tokens } = accountServices(config, db);
  const sessions = new SessionService(sessionStore(db), { secretKey: config.secretKey, ...config.session });
  const jwt = new JwtService({ signingKey: config.secretKey, ...config.jwt }, refreshTokenRegistry(db), users);
  const authentication = {
    jwt: jwtAuthentication(jwt),
    token: tokenAuthentication(tokens),
    session: sessionAuthentication(sessions),
  };
  const token = jwtViews(jwt);
  // Password guessing is throttled per client address by the tight `login` scope, sign-ups by `register`.
  const login = (view: ViewSpec): ViewSpec => ({ ...view, throttleScope: 'login' });
  const obtain = login(token.obtain);
  const djoser = djoserViews({ users, tokens, tokenAuthentication: authentication.token, passwordValidators: defaultPasswordValidators() });
  const routes: Route[] = [
    ['/api/token/', obtain],
    ['/api/token/refresh/', token.refresh],
    ['/api/token/verify/', token.verify],
    ['/api/token/blacklist/', token.blacklist],
    // Djoser's JWT aliases.
    ['/auth/jwt/create/', obtain],
    ['/auth/jwt/refresh/', token.refresh],
    ['/auth/jwt/verify/', token.verify],
    // DRF tokens: Djoser's login/logout and DRF's obtain_auth_token.
    ['/auth/token/login/', login(djoser.tokenLogin)],
    ['/auth/token/logout/', djoser.tokenLogout],
    ['/api-token-auth/', login(obtainAuthTokenView(tokens, users))],
    // Only logging in counts against the login rate, not logging out.
    ['/api/auth/session/', { ...sessionView(users, sessions, authentication.session), throttleScope: { POST: 'login' } }],
    // Djoser's router: its root, and the users viewset, whose extra actions come before the detail route.
    apiRootRoute('/auth/', ['users']),
    ...formatSuffixPatterns([
      ['/auth/users/', { ...djoser.userList, throttleScope: { POST: 'register' } }],
      ['/auth/users/me/', djoser.me],
      ['/auth/users/set_password/', djoser.setPassword],
      ['/auth/users/set_username/', djoser.setUsername],
      ['/auth/users/:pk/', djoser.userDetail],
    ]),
  ];
  return {
    authentication,
    /** The project-wide default, in DRF's order: the first scheme that recognises its credentials decides. */
    authenticators: [authentication.jwt, authentication.token, authentication.session],
    routes,
    /** What the browsable API's login page needs (DRF's rest_framework.urls). */
    browserLogin: { sessions, users, onLogin: (user: { id: number }) => users.recordLogin(user.id) },
  };
}
