// How each kind of environment variable's text is read: booleans, durations, integers, rates,
// lists of hosts and origins… Each parser's message completes "NAME …" in loadConfig's report.
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { parseRate } from '../rest/throttling/rates.js';
import type { Rate } from '../rest/types.js';
import { apiModels } from '../installed.js';
import { hasherNames, weakHasherNames, type HasherName } from '../password-hasher-names.js';

export const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { error: 'must be true or false' })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const durationUnits = { s: 1, m: 60, h: 3600, d: 86400 } as const;
/** "900", "900s", "15m", "1h", "1d" → seconds. */
export const duration = z
  .string()
  .regex(/^\d+[smhd]?$/, { error: 'must be a duration such as 900, 15m, 12h or 1d' })
  .transform((v) => {
    const unit = /[smhd]$/.test(v) ? (v.slice(-1) as keyof typeof durationUnits) : 's';
    return Number.parseInt(v, 10) * durationUnits[unit];
  })
  .refine((seconds) => seconds > 0, { error: 'must be longer than zero' });

export const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, { error: `must be an integer between ${min} and ${max}` })
    .transform(Number)
    .refine((n) => n >= min && n <= max, { error: `must be an integer between ${min} and ${max}` });

export const databaseUrl = z
  .string()
  .refine((v) => /^file:.+/.test(v) || /^postgres(ql)?:\/\/.+/.test(v), {
    error: 'must be file:<path> (SQLite) or postgresql://… (PostgreSQL)',
  });

export const rate = z.string().transform((v, ctx): Rate | null => {
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
export const trustedProxies = z.string().transform((v, ctx): TrustedProxies => {
  if (/^\d{1,2}$/.test(v)) return Number(v) === 0 ? false : Number(v);
  const items = v.split(',').map((item) => item.trim());
  if (items.every(isAddressOrRange)) return items;
  ctx.addIssue({ code: 'custom', message: 'must be a hop count, or a comma-separated list of addresses, CIDR ranges, loopback, linklocal or uniquelocal' });
  return z.NEVER;
});

export const workerCount = z.string().transform((v, ctx) => {
  const count = v === 'auto' ? availableParallelism() : /^\d{1,3}$/.test(v) ? Number(v) : 0;
  if (count >= 1 && count <= 256) return count;
  ctx.addIssue({ code: 'custom', message: 'must be auto or an integer between 1 and 256' });
  return z.NEVER;
});
/** "posts.post, lending.belonging" → the labels, each one of a model served by a viewset. */
export const modelLabels = z
  .string()
  .transform((v) => v.split(',').map((label) => label.trim()).filter(Boolean))
  .refine((labels) => labels.every((label) => (apiModels as readonly string[]).includes(label)), {
    error: `must be a comma-separated list of ${apiModels.join(', ')}`,
  });

/** Comma-separated, trimmed, empties dropped. */
const commaList = z.string().transform((v) => v.split(',').map((item) => item.trim()).filter(Boolean));

/** Django's ALLOWED_HOSTS entries: a host name or address (`.example.com`: it and its subdomains; `*`: any). */
const hostPattern = /^(\*|\.?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?|\[[0-9a-f:.]+\])$/i;
export const hostList = commaList.refine((hosts) => hosts.length > 0 && hosts.every((host) => hostPattern.test(host)), {
  error: 'must be a comma-separated list of host names (.example.com: it and its subdomains; *: any host)',
}).transform((hosts) => hosts.map((host) => host.toLowerCase()));

/** `scheme://host[:port]` exactly, as a browser sends it in Origin; `*.` may start the host when `wildcard`. */
export const originList = (wildcard: boolean) =>
  commaList.refine(
    (origins) =>
      origins.every((origin) => {
        const match = /^(https?:\/\/)(\*\.)?([^/?#]+)$/.exec(origin);
        if (!match || (match[2] && !wildcard)) return false;
        try {
          return new URL(`${match[1]}${match[3]}`).origin === `${match[1]}${match[3]}`.toLowerCase();
        } catch {
          return false;
        }
      }),
    {
      error: `must be a comma-separated list of origins such as https://app.example.com (scheme, host and port if not the default; no path${
        wildcard ? '; https://*.example.com for every subdomain' : ''
      })`,
    },
  ).transform((origins) => origins.map((origin) => origin.toLowerCase()));

export const sameSite = z.enum(['Lax', 'Strict', 'None'], { error: 'must be Lax, Strict or None' });
export type SameSite = z.infer<typeof sameSite>;

export const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Django's PASSWORD_HASHERS by algorithm name: "bcrypt_sha256,pbkdf2_sha256" → the list, the first making new hashes. */
export const passwordHashers = z
  .string()
  .transform((v) => v.split(',').map((name) => name.trim()).filter(Boolean))
  .refine((names) => names.length > 0 && names.every((name) => (hasherNames as readonly string[]).includes(name)) && new Set(names).size === names.length, {
    error: `must be a comma-separated list of distinct hashers among ${hasherNames.join(', ')}`,
  })
  .refine((names) => !(weakHasherNames as readonly string[]).includes(names[0]!), {
    error: `must not start with ${weakHasherNames.join(' or ')}: the first one makes every new hash, and those are only read`,
  })
  .transform((names) => names as HasherName[]);
