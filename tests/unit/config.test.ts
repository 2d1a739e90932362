import { describe, expect, it } from 'vitest';
import { ConfigError, defaultSqlitePath, loadConfig } from '../../src/config.js';

describe('loadConfig', () => {
  it('has working defaults: SQLite under the project, port 8000, SimpleJWT lifetimes', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe(`file:${defaultSqlitePath}`);
    expect(config.port).toBe(8000);
    expect(config.jwt).toEqual({ accessLifetime: 900, refreshLifetime: 86400, rotateRefreshTokens: true, blacklistAfterRotation: true });
    expect(config.migrateOnStart).toBe(true);
    expect(config.bcryptRounds).toBe(12);
    expect(config.timeouts).toEqual({ headers: 10, request: 30, keepAlive: 5, graceful: 30, statement: 5 });
  });

  it('reads the server timeouts, and refuses a headers timeout longer than the request timeout', () => {
    const config = loadConfig({ HEADERS_TIMEOUT: '1m', REQUEST_TIMEOUT: '2m', KEEP_ALIVE_TIMEOUT: '65', GRACEFUL_TIMEOUT: '90s', DATABASE_STATEMENT_TIMEOUT: '30' });
    expect(config.timeouts).toEqual({ headers: 60, request: 120, keepAlive: 65, graceful: 90, statement: 30 });
    expect(() => loadConfig({ HEADERS_TIMEOUT: '40' })).toThrow(
      new ConfigError(['HEADERS_TIMEOUT must not be longer than REQUEST_TIMEOUT (got 40 s and 30 s)']),
    );
  });

  it('reads durations, booleans and URLs', () => {
    const config = loadConfig({
      PORT: '9000',
      DATABASE_URL: 'postgresql://u@localhost/db',
      ACCESS_TOKEN_LIFETIME: '5m',
      REFRESH_TOKEN_LIFETIME: '2d',
      ROTATE_REFRESH_TOKENS: 'false',
      MIGRATE_ON_START: '0',
      SECRET_KEY: 'k'.repeat(32),
    });
    expect(config).toMatchObject({ port: 9000, databaseUrl: 'postgresql://u@localhost/db', migrateOnStart: false, secretKey: 'k'.repeat(32) });
    expect(config.jwt).toMatchObject({ accessLifetime: 300, refreshLifetime: 172800, rotateRefreshTokens: false });
  });

  it('treats empty values as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).port).toBe(8000);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be an integer between 0 and 65535 (got "abc")'],
    [{ PORT: '70000' }, 'PORT must be an integer between 0 and 65535 (got "70000")'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL must be file:<path> (SQLite) or postgresql://… (PostgreSQL)'],
    [{ ACCESS_TOKEN_LIFETIME: 'soon' }, 'ACCESS_TOKEN_LIFETIME must be a duration such as 900, 15m, 12h or 1d (got "soon")'],
    [{ ACCESS_TOKEN_LIFETIME: '0' }, 'ACCESS_TOKEN_LIFETIME must be longer than zero (got "0")'],
    [{ ROTATE_REFRESH_TOKENS: 'maybe' }, 'ROTATE_REFRESH_TOKENS must be true or false (got "maybe")'],
    [{ SECRET_KEY: 'short' }, 'SECRET_KEY must be at least 32 characters long'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV must be development, production or test (got "staging")'],
    [{ NODE_ENV: 'production', ALLOWED_HOSTS: 'api.example.com' }, 'SECRET_KEY must be set when NODE_ENV=production'],
    [{ BCRYPT_ROUNDS: '3' }, 'BCRYPT_ROUNDS must be an integer between 4 and 16 (got "3")'],
    [{ GRACEFUL_TIMEOUT: '0' }, 'GRACEFUL_TIMEOUT must be longer than zero (got "0")'],
  ])('refuses %j with one line naming the variable (never echoing secrets)', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError([message]));
  });
});

describe('MODEL_PERMISSIONS', () => {
  it('is off by default, as the contract has it', () => {
    expect(loadConfig({}).modelPermissions).toEqual({ models: [], requireView: false });
  });

  it('reads a comma-separated list of model labels', () => {
    const config = loadConfig({ MODEL_PERMISSIONS: ' lending.belonging, posts.post,', MODEL_PERMISSIONS_REQUIRE_VIEW: 'true' });
    expect(config.modelPermissions).toEqual({ models: ['lending.belonging', 'posts.post'], requireView: true });
  });

  it('refuses a label that names no resource, in one line', () => {
    expect(() => loadConfig({ MODEL_PERMISSIONS: 'lending.belongings' })).toThrow(ConfigError);
    expect(() => loadConfig({ MODEL_PERMISSIONS: 'lending.belongings' })).toThrow(
      'MODEL_PERMISSIONS must be a comma-separated list of posts.post, transactions.transaction, lending.friend, ' +
        'lending.belonging, lending.borrowing (got "lending.belongings")',
    );
  });
});

describe('PASSWORD_HASHERS', () => {
  it("defaults to bcrypt_sha256 first, then the hashers of Django's default list", () => {
    expect(loadConfig({}).passwordHashers).toEqual(['bcrypt_sha256', 'pbkdf2_sha256', 'pbkdf2_sha1', 'argon2', 'bcrypt']);
  });

  it('reads a comma-separated list, weak hashers included when named', () => {
    expect(loadConfig({ PASSWORD_HASHERS: 'argon2, bcrypt_sha256,unsalted_md5' }).passwordHashers).toEqual(['argon2', 'bcrypt_sha256', 'unsalted_md5']);
  });

  it.each([
    ['sha1', 'PASSWORD_HASHERS must be a comma-separated list of distinct hashers among bcrypt_sha256, pbkdf2_sha256, pbkdf2_sha1, argon2, bcrypt, md5, unsalted_md5 (got "sha1")'],
    ['bcrypt,bcrypt', 'PASSWORD_HASHERS must be a comma-separated list of distinct hashers among bcrypt_sha256, pbkdf2_sha256, pbkdf2_sha1, argon2, bcrypt, md5, unsalted_md5 (got "bcrypt,bcrypt")'],
    ['md5,bcrypt_sha256', 'PASSWORD_HASHERS must not start with md5 or unsalted_md5: the first one makes every new hash, and those are only read (got "md5,bcrypt_sha256")'],
  ])('refuses %j in one line', (value, message) => {
    expect(() => loadConfig({ PASSWORD_HASHERS: value })).toThrow(new ConfigError([message]));
  });
});
