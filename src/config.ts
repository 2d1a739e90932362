// Every environment variable the server reads, validated once at start.
// A bad value stops the process with one line naming the variable (see server.ts).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { parseRate, type Rate, type ThrottleRates } from './rest/throttling.js';
import { apiModels } from './apps/installed.js';
import type { ModelPermissionSettings } from './rest/model-permissions.js';
import { defaultPasswordHashers, hasherNames, weakHasherNames, type HasherName } from './apps/accounts/passwords.js';

/** The folder holding package.json, whether this runs from src/ (tsx) or dist/src/ (built). */
function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

export const projectRoot = findProjectRoot(dirname(fileURLToPath(import.meta.url)));
export const defaultSqlitePath = join(projectRoot, 'data', 'db.sqlite3');
const generatedSecretPath = join(projectRoot, 'data', 'secret_key');

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'must be true or false' })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const durationUnits = { s: 1, m: 60, h: 3600, d: 86400 } as const;
/** "900", "900s", "15m", "1h", "1d" → seconds. */
const duration = z
  .string()
  .regex(/^\d+[smhd]?$/, { error: 'must be a duration such as 900, 15m, 12h or 1d' })
  .transform((v) => {
    const unit = /[smhd]$/.test(v) ? (v.slice(-1) as keyof typeof durationUnits) : 's';
    return Number.parseInt(v, 10) * durationUnits[unit];
  })
  .refine((seconds) => seconds > 0, { error: 'must be longer than zero' });

const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `must be an integer between ${min} and ${max}` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: `must be an integer between ${min} and ${max}` });

const databaseUrl = z
  .string()
  .refine((v) => /^file:.+/.test(v) || /^postgres(ql)?:\/\/.+/.test(v), {
    error: 'must be file:<path> (SQLite) or postgresql://… (PostgreSQL)',
  });

const rate = z.string().transform((v, ctx): Rate | null => {
  const parsed = parseRate(v);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a rate such as 100/day, 20/minute or 5/second, or none' });
    return z.NEVER;
  }
  return parsed;
});

/** Express's `trust proxy` value: false (the peer is the client), a hop count, or trusted addresses. */
export type TrustedProxies = false | number | string[];
const proxyRangeNames = new Set(['loopback', 'linklocal', 'uniquelocal']);
function isAddressOrRange(item: string): boolean {
  if (proxyRangeNames.has(item)) return true;
  const [address = '', bits, ...rest] = item.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
}
const trustedProxies = z.string().transform((v, ctx): TrustedProxies => {
  if (/^\d{1,2}$/.test(v)) return Number(v) === 0 ? false : Number(v);
  const items = v.split(',').map((item) => item.trim());
  if (items.every(isAddressOrRange)) return items;
  ctx.addIssue({ code: 'custom', message: 'must be a hop count, or a comma-separated list of addresses, CIDR ranges, loopback, linklocal or uniquelocal' });
  return z.NEVER;
});

const workerCount = z.string().transform((v, ctx) => {
  const count = v === 'auto' ? availableParallelism() : /^\d{1,3}$/.test(v) ? Number(v) : 0;
  if (count >= 1 && count <= 256) return count;
  ctx.addIssue({ code: 'custom', message: 'must be auto or an integer between 1 and 256' });
  return z.NEVER;
});
/** "posts.post, lending.belonging" → the labels, each one of a model served by a viewset. */
const modelLabels = z
  .string()
  .transform((v) => v.split(',').map((label) => label.trim()).filter(Boolean))
  .refine((labels) => labels.every((label) => (apiModels as readonly string[]).includes(label)), {
    error: `must be a comma-separated list of ${apiModels.join(', ')}`,
  });

/** Django's PASSWORD_HASHERS by algorithm name: "bcrypt_sha256,pbkdf2_sha256" → the list, the first making new hashes. */
const passwordHashers = z
  .string()
  .transform((v) => v.split(',').map((name) => name.trim()).filter(Boolean))
  .refine((names) => names.length > 0 && names.every((name) => (hasherNames as readonly string[]).includes(name)) && new Set(names).size === names.length, {
    error: `must be a comma-separated list of distinct hashers among ${hasherNames.join(', ')}`,
  })
  .refine((names) => !(weakHasherNames as readonly string[]).includes(names[0]!), {
    error: `must not start with ${weakHasherNames.join(' or ')}: the first one makes every new hash, and those are only read`,
  })
  .transform((names) => names as HasherName[]);

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
}

export interface Config {
  env: 'development' | 'production' | 'test';
  /** 0: any free port. */
  port: number;
  /** Processes serving the port (node:cluster workers when more than 1). */
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
}

/** The part of the configuration the HTTP app needs; tests build it directly. */
export type AppConfig = Omit<Config, 'secretKey' | 'port' | 'workers' | 'migrateOnStart' | 'databaseUrl' | 'redisUrl' | 'throttleFailOpen'> & {
  secretKey: string;
};

export class ConfigError extends Error {}

/** Values never echoed in an error: they may hold secrets (keys, passwords inside URLs). */
const secretVariables = new Set(['SECRET_KEY', 'DATABASE_URL', 'REDIS_URL']);

export function loadConfig(env: NodeJS.ProcessEnv): Config {
  // Empty strings count as unset, as in a .env file with `NAME=`.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    const got = secretVariables.has(name) ? '' : ` (got ${JSON.stringify(env[name])})`;
    throw new ConfigError(`${name} ${issue.message}${got}`);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && !e.SECRET_KEY) {
    throw new ConfigError('SECRET_KEY must be set when NODE_ENV=production');
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
    session: { cookieAge: e.SESSION_COOKIE_AGE, secureCookies: e.SESSION_COOKIE_SECURE },
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
