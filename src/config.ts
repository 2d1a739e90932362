// Every environment variable the server reads, validated once at start.
// Bad values stop the process with one line per variable, all of them at once (see server.ts).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { ThrottleRates } from './rest/throttling/rates.js';
import { projectRoot } from './project-root.js';
import type { ModelPermissionSettings } from './rest/permissions/model-permissions.js';
import type { ServerTimeouts } from './http-server.js';
import { defaultPasswordHashers, type HasherName } from './password-hasher-names.js';
import {
  booleanFlag,
  databaseUrl,
  duration,
  hostList,
  integer,
  logLevels,
  modelLabels,
  originList,
  passwordHashers,
  rate,
  sameSite,
  trustedProxies,
  workerCount,
  type LogLevel,
  type SameSite,
  type TrustedProxies,
} from './config/env-values.js';

export { projectRoot };
export const defaultSqlitePath = join(projectRoot, 'data', 'db.sqlite3');
const generatedSecretPath = join(projectRoot, 'data', 'secret_key');

/** Hosts a development server answers when ALLOWED_HOSTS is unset (Django's with DEBUG and no ALLOWED_HOSTS). */
export const developmentHosts = ['.localhost', '127.0.0.1', '[::1]'];
const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test'], { error: 'must be development, production or test' }).default('development'),
  PORT: integer(0, 65535).default(8000),
  WEB_CONCURRENCY: workerCount.default(1),
  DATABASE_URL: databaseUrl.optional(),
  SECRET_KEY: z.string().min(32, { error: 'must be at least 32 characters long' }).optional(),
  MIGRATE_ON_START: booleanFlag.default(true),
  ACCESS_TOKEN_LIFETIME: duration.default(15 * 60),
  REFRESH_TOKEN_LIFETIME: duration.default(24 * 3600),
  ROTATE_REFRESH_TOKENS: booleanFlag.default(true),
  BLACKLIST_AFTER_ROTATION: booleanFlag.default(true),
  BCRYPT_ROUNDS: integer(4, 16).default(12),
  PASSWORD_HASHERS: passwordHashers.optional(),
  TOKEN_TTL: duration.optional(),
  SESSION_COOKIE_AGE: duration.default(14 * 24 * 3600),
  SESSION_COOKIE_SECURE: booleanFlag.default(false),
  MAX_BODY_BYTES: integer(1024, 100 * 1024 * 1024).default(2_621_440),
  THROTTLE_ANON_RATE: rate.default({ limit: 100, windowSeconds: 86400 }),
  THROTTLE_USER_RATE: rate.default({ limit: 1000, windowSeconds: 86400 }),
  THROTTLE_LOGIN_RATE: rate.default({ limit: 20, windowSeconds: 60 }),
  THROTTLE_REGISTER_RATE: rate.default({ limit: 20, windowSeconds: 3600 }),
  THROTTLE_FAIL_OPEN: booleanFlag.default(true),
  REDIS_URL: z.string().regex(/^rediss?:\/\/.+/, { error: 'must be redis://[user:password@]host:port[/db] or rediss://…' }).optional(),
  TRUSTED_PROXIES: trustedProxies.default(false),
  MODEL_PERMISSIONS: modelLabels.default([]),
  MODEL_PERMISSIONS_REQUIRE_VIEW: booleanFlag.default(false),
  HEADERS_TIMEOUT: duration.default(10),
  REQUEST_TIMEOUT: duration.default(30),
  KEEP_ALIVE_TIMEOUT: duration.default(5),
  GRACEFUL_TIMEOUT: duration.default(30),
  DATABASE_STATEMENT_TIMEOUT: duration.default(5),
  ALLOWED_HOSTS: hostList.optional(),
  CORS_ALLOWED_ORIGINS: originList(false).default([]),
  CORS_ALLOW_CREDENTIALS: booleanFlag.default(false),
  CSRF_TRUSTED_ORIGINS: originList(true).default([]),
  SESSION_COOKIE_SAMESITE: sameSite.default('Lax'),
  CSRF_COOKIE_SAMESITE: sameSite.default('Lax'),
  SECURE_HSTS_SECONDS: integer(0, 10 * 365 * 86400).default(0),
  SECURE_HSTS_INCLUDE_SUBDOMAINS: booleanFlag.default(false),
  SECURE_HSTS_PRELOAD: booleanFlag.default(false),
  LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
  LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).optional(),
});

export interface JwtSettings {
  /** Seconds. */
  accessLifetime: number;
  refreshLifetime: number;
  rotateRefreshTokens: boolean;
  blacklistAfterRotation: boolean;
}

export interface SessionSettings {
  /** Seconds a browser session lasts from login (Django's SESSION_COOKIE_AGE). */
  cookieAge: number;
  /** Mark the sessionid and csrftoken cookies Secure (HTTPS only). */
  secureCookies: boolean;
  /** The cookies' SameSite attribute (Django's SESSION_COOKIE_SAMESITE, CSRF_COOKIE_SAMESITE). */
  sessionSameSite: SameSite;
  csrfSameSite: SameSite;
  /** Origins other than the API's own whose pages may write with a session (Django's CSRF_TRUSTED_ORIGINS). */
  trustedOrigins: string[];
}

/** django-cors-headers' settings. */
export interface CorsSettings {
  /** Exact origins whose pages may read responses; none by default. */
  allowedOrigins: string[];
  /** Let those pages send cookies (a session) and read the answers. */
  allowCredentials: boolean;
}

/** Django's SECURE_HSTS_*: sent on HTTPS responses only; null: no header. */
export interface HstsSettings {
  maxAge: number;
  includeSubDomains: boolean;
  preload: boolean;
}

export interface LogSettings {
  level: LogLevel;
  /** json: one JSON object per line (production); pretty: a readable line (development). */
  format: 'json' | 'pretty';
}

export interface Config {
  env: 'development' | 'production' | 'test';
  /** 0: any free port. */
  port: number;
  /** Workers serving the port (worker threads when more than 1). */
  workers: number;
  /** `file:<path>` or `postgresql://…`; always set after loadConfig. */
  databaseUrl: string;
  /** Undefined only until resolveSecretKey runs (development may generate one). */
  secretKey: string | undefined;
  migrateOnStart: boolean;
  jwt: JwtSettings;
  bcryptRounds: number;
  /** Django's PASSWORD_HASHERS: the accepted password hash formats, the first one making new hashes. */
  passwordHashers: readonly HasherName[];
  /** Seconds a DRF token stays valid after it was issued; null: until logout (DRF's behaviour). */
  tokenTtl: number | null;
  session: SessionSettings;
  maxBodyBytes: number;
  /** DRF's DEFAULT_THROTTLE_RATES: `anon`, `user`, and the scopes `login`, `register`. */
  throttleRates: ThrottleRates;
  /** Where every instance counts throttled requests; unset: each process in its own memory. */
  redisUrl: string | undefined;
  /** While Redis is unreachable: serve uncounted (true) or answer 503 (false). */
  throttleFailOpen: boolean;
  trustedProxies: TrustedProxies;
  /** Which models' views also check Django model permissions (DRF's DjangoModelPermissions). */
  modelPermissions: ModelPermissionSettings;
  /**
   * Seconds; see ServerTimeouts. `graceful`: how long a shutdown waits for open requests;
   * `statement`: how long one database statement may run or wait (see OpenOptions).
   */
  timeouts: ServerTimeouts & { graceful: number; statement: number };
  /** Django's ALLOWED_HOSTS: the Host (or trusted forwarded host) every request must name. */
  allowedHosts: string[];
  cors: CorsSettings;
  hsts: HstsSettings | null;
  log: LogSettings;
}

/** The part of the configuration the HTTP app needs; tests build it directly. */
export type AppConfig = Omit<
  Config,
  'secretKey' | 'port' | 'workers' | 'migrateOnStart' | 'databaseUrl' | 'redisUrl' | 'throttleFailOpen' | 'timeouts' | 'log'
> & {
  secretKey: string;
};

/** Every problem of the environment, one line each. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** Values never echoed in an error: they may hold secrets (keys, passwords inside URLs). */
const secretVariables = new Set(['SECRET_KEY', 'DATABASE_URL', 'REDIS_URL']);

/** Values that are valid alone but not together; read from the raw values, so they are reported with any others. */
function* combinationProblems(present: Record<string, string | undefined>): Generator<string> {
  if (present.NODE_ENV === 'production') {
    if (!present.SECRET_KEY) yield 'SECRET_KEY must be set when NODE_ENV=production';
    if (!present.ALLOWED_HOSTS) yield 'ALLOWED_HOSTS must be set when NODE_ENV=production (the host names this server answers to)';
  }
  // Browsers drop a SameSite=None cookie that is not Secure (Django's checks refuse it too).
  const secure = booleanFlag.safeParse(present.SESSION_COOKIE_SECURE ?? 'false').data;
  for (const name of ['SESSION_COOKIE_SAMESITE', 'CSRF_COOKIE_SAMESITE']) {
    if (present[name] === 'None' && secure === false) yield `${name}=None needs SESSION_COOKIE_SECURE=true (browsers refuse such cookies otherwise)`;
  }
}

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  // Empty strings count as unset, as in a .env file with `NAME=`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  // One line per variable (its first problem), in the schema's order, then those of combinations.
  const problems = new Map<string, string>();
  for (const issue of parsed.error?.issues ?? []) {
    const name = String(issue.path[0]);
    const got = secretVariables.has(name) ? '' : ` (got ${JSON.stringify(env[name])})`;
    if (!problems.has(name)) problems.set(name, `${name} ${issue.message}${got}`);
  }
  const combinations = [...combinationProblems(present)].filter((problem) => !problems.has(problem.split(/[ =]/)[0]!));
  if (!parsed.success || combinations.length > 0) throw new ConfigError([...problems.values(), ...combinations]);
  const e = parsed.data;
  if (e.HEADERS_TIMEOUT > e.REQUEST_TIMEOUT) {
    throw new ConfigError([`HEADERS_TIMEOUT must not be longer than REQUEST_TIMEOUT (got ${e.HEADERS_TIMEOUT} s and ${e.REQUEST_TIMEOUT} s)`]);
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    workers: e.WEB_CONCURRENCY,
    databaseUrl: e.DATABASE_URL ?? `file:${defaultSqlitePath}`,
    secretKey: e.SECRET_KEY,
    migrateOnStart: e.MIGRATE_ON_START,
    jwt: {
      accessLifetime: e.ACCESS_TOKEN_LIFETIME,
      refreshLifetime: e.REFRESH_TOKEN_LIFETIME,
      rotateRefreshTokens: e.ROTATE_REFRESH_TOKENS,
      blacklistAfterRotation: e.BLACKLIST_AFTER_ROTATION,
    },
    bcryptRounds: e.BCRYPT_ROUNDS,
    passwordHashers: e.PASSWORD_HASHERS ?? defaultPasswordHashers,
    tokenTtl: e.TOKEN_TTL ?? null,
    session: {
      cookieAge: e.SESSION_COOKIE_AGE,
      secureCookies: e.SESSION_COOKIE_SECURE,
      sessionSameSite: e.SESSION_COOKIE_SAMESITE,
      csrfSameSite: e.CSRF_COOKIE_SAMESITE,
      trustedOrigins: e.CSRF_TRUSTED_ORIGINS,
    },
    maxBodyBytes: e.MAX_BODY_BYTES,
    throttleRates: {
      anon: e.THROTTLE_ANON_RATE,
      user: e.THROTTLE_USER_RATE,
      login: e.THROTTLE_LOGIN_RATE,
      register: e.THROTTLE_REGISTER_RATE,
    },
    redisUrl: e.REDIS_URL,
    throttleFailOpen: e.THROTTLE_FAIL_OPEN,
    trustedProxies: e.TRUSTED_PROXIES,
    modelPermissions: { models: e.MODEL_PERMISSIONS, requireView: e.MODEL_PERMISSIONS_REQUIRE_VIEW },
    timeouts: { headers: e.HEADERS_TIMEOUT, request: e.REQUEST_TIMEOUT, keepAlive: e.KEEP_ALIVE_TIMEOUT, graceful: e.GRACEFUL_TIMEOUT, statement: e.DATABASE_STATEMENT_TIMEOUT },
    allowedHosts: e.ALLOWED_HOSTS ?? developmentHosts,
    cors: { allowedOrigins: e.CORS_ALLOWED_ORIGINS, allowCredentials: e.CORS_ALLOW_CREDENTIALS },
    hsts:
      e.SECURE_HSTS_SECONDS > 0
        ? { maxAge: e.SECURE_HSTS_SECONDS, includeSubDomains: e.SECURE_HSTS_INCLUDE_SUBDOMAINS, preload: e.SECURE_HSTS_PRELOAD }
        : null,
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT ?? (e.NODE_ENV === 'development' ? 'pretty' : 'json') },
  };
}

/**
 * Outside production a missing SECRET_KEY is generated once and kept in data/secret_key,
 * so tokens survive restarts on a developer's machine.
 */
export function resolveSecretKey(config: Config, warn: (message: string) => void): AppConfig {
  let secretKey = config.secretKey;
  if (!secretKey) {
    if (existsSync(generatedSecretPath)) {
      secretKey = readFileSync(generatedSecretPath, 'utf8').trim();
    } else {
      secretKey = randomBytes(48).toString('base64url');
      mkdirSync(dirname(generatedSecretPath), { recursive: true });
      writeFileSync(generatedSecretPath, `${secretKey}\n`, { mode: 0o600 });
    }
    warn(`SECRET_KEY is not set: using the development key in ${generatedSecretPath} (set SECRET_KEY in production).`);
  }
  return { ...config, secretKey };
}
