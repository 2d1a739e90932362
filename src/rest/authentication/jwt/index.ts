// SimpleJWT: the token service, JWTAuthentication and the token views.
export * from './authenticator.js';
export * from './service.js';
export * from './views.js';
