// Django's fixture format, as `manage.py dumpdata` writes it and `loaddata` reads it: a JSON
// list of {"model": "app_label.model", "pk": …, "fields": {…}}. This module knows each
// model this server has (its table, its fields in Django's order) and turns a field's
// fixture value into a column value and back; loaddata.ts and dumpdata.ts do the I/O.
import { digestOf } from '../rest/authentication/keys.js';
import type { Tables } from '../db/index.js';

/** A problem with one object of a fixture: loaddata names the object, then this message. */
export class FixtureError extends Error {}

/** A reference to another object: its primary key, or (dumpdata --natural-foreign) its natural key. */
export type Reference = number | readonly string[];

type Kind =
  | { kind: 'text' }
  | { kind: 'boolean' }
  | { kind: 'datetime' }
  /** Django's DecimalField(max_digits=10, decimal_places=2), kept as a count of cents. */
  | { kind: 'cents' }
  | { kind: 'foreignKey'; to: ModelLabel }
  /** A list of references, kept in a join table: (ownerColumn, targetColumn). */
  | { kind: 'manyToMany'; to: ModelLabel; table: keyof Tables; ownerColumn: string; targetColumn: string }
  /** A field Django has and this server does not keep: read and dropped, written as this value. */
  | { kind: 'notKept'; value: string };

export type Field = Kind & {
  /** Django's field name, as in the fixture. */
  name: string;
  /** The column; for a foreign key, `<name>_id`. */
  column: string;
  nullable?: boolean;
  /** The value of a field the object leaves out (Django's model default); without one the field is required. */
  default?: () => unknown;
};

export interface Model {
  label: ModelLabel;
  table: keyof Tables;
  /** DRF's token is keyed by its key, stored as its digest; every other model by an integer id. */
  primaryKey: 'id' | 'tokenKey';
  /** The fields in Django's order (the order dumpdata writes them). */
  fields: Field[];
  /** The fields naming one object, for references by natural key (Django's natural_key()). */
  naturalKey?: string[];
  /** Fields whose value no two objects share (besides the natural key). */
  unique?: string[];
}

export const modelLabels = [
  'contenttypes.contenttype',
  'auth.permission',
  'auth.group',
  'auth.user',
  'authtoken.token',
  'token_blacklist.outstandingtoken',
  'token_blacklist.blacklistedtoken',
  'posts.post',
  'transactions.transaction',
  'lending.friend',
  'lending.belonging',
  'lending.borrowing',
] as const;
export type ModelLabel = (typeof modelLabels)[number];

const text = (name: string, fallback?: string): Field => ({ name, column: name, kind: 'text', ...(fallback === undefined ? {} : { default: () => fallback }) });
const boolean = (name: string, fallback: boolean): Field => ({ name, column: name, kind: 'boolean', default: () => fallback });
const datetime = (name: string, options: { nullable?: boolean; default?: () => unknown } = {}): Field => ({ name, column: name, kind: 'datetime', ...options });
const foreignKey = (name: string, to: ModelLabel, nullable = false): Field => ({ name, column: `${name}_id`, kind: 'foreignKey', to, nullable });
const manyToMany = (name: string, to: ModelLabel, table: keyof Tables, ownerColumn: string, targetColumn: string): Field => ({
  name,
  column: name,
  kind: 'manyToMany',
  to,
  table,
  ownerColumn,
  targetColumn,
  default: () => [],
});
const now = () => new Date();

/** In the order objects must be written: each model only refers to models before it. */
export const models: readonly Model[] = [
  { label: 'contenttypes.contenttype', table: 'django_content_type', primaryKey: 'id', fields: [text('app_label'), text('model')], naturalKey: ['app_label', 'model'] },
  {
    label: 'auth.permission',
    table: 'auth_permission',
    primaryKey: 'id',
    fields: [text('name'), foreignKey('content_type', 'contenttypes.contenttype'), text('codename')],
    naturalKey: ['codename', 'content_type'],
  },
  {
    label: 'auth.group',
    table: 'auth_group',
    primaryKey: 'id',
    fields: [text('name'), manyToMany('permissions', 'auth.permission', 'auth_group_permissions', 'group_id', 'permission_id')],
    naturalKey: ['name'],
  },
  {
    label: 'auth.user',
    table: 'auth_user',
    primaryKey: 'id',
    fields: [
      text('password'),
      datetime('last_login', { nullable: true, default: () => null }),
      boolean('is_superuser', false),
      text('username'),
      text('first_name', ''),
      text('last_name', ''),
      text('email', ''),
      boolean('is_staff', false),
      boolean('is_active', true),
      datetime('date_joined', { default: now }),
      manyToMany('groups', 'auth.group', 'auth_user_groups', 'user_id', 'group_id'),
      manyToMany('user_permissions', 'auth.permission', 'auth_user_user_permissions', 'user_id', 'permission_id'),
    ],
    naturalKey: ['username'],
  },
  { label: 'authtoken.token', table: 'authtoken_token', primaryKey: 'tokenKey', fields: [foreignKey('user', 'auth.user'), { ...datetime('created'), column: 'created_at' }] },
  {
    label: 'token_blacklist.outstandingtoken',
    table: 'token_blacklist_outstandingtoken',
    primaryKey: 'id',
    // The refresh token itself is not kept (its jti is enough to blacklist it).
    fields: [foreignKey('user', 'auth.user', true), text('jti'), { name: 'token', column: 'token', kind: 'notKept', value: '', default: () => '' }, datetime('created_at'), datetime('expires_at')],
    unique: ['jti'],
  },
  {
    label: 'token_blacklist.blacklistedtoken',
    table: 'token_blacklist_blacklistedtoken',
    primaryKey: 'id',
    fields: [foreignKey('token', 'token_blacklist.outstandingtoken'), datetime('blacklisted_at')],
    unique: ['token'],
  },
  { label: 'posts.post', table: 'posts_post', primaryKey: 'id', fields: [text('title'), text('body'), foreignKey('owner', 'auth.user'), datetime('created_at'), datetime('updated_at')] },
  {
    label: 'transactions.transaction',
    table: 'transactions_transaction',
    primaryKey: 'id',
    fields: [foreignKey('user', 'auth.user'), { name: 'amount', column: 'amount_cents', kind: 'cents' }, text('description', ''), datetime('timestamp')],
  },
  { label: 'lending.friend', table: 'lending_friend', primaryKey: 'id', fields: [foreignKey('owner', 'auth.user'), text('name')] },
  { label: 'lending.belonging', table: 'lending_belonging', primaryKey: 'id', fields: [foreignKey('owner', 'auth.user'), text('name')] },
  {
    label: 'lending.borrowing',
    table: 'lending_borrowing',
    primaryKey: 'id',
    fields: [foreignKey('owner', 'auth.user'), foreignKey('what', 'lending.belonging'), foreignKey('to_who', 'lending.friend'), datetime('when'), datetime('returned', { nullable: true, default: () => null })],
  },
];

export const modelsByLabel = new Map<string, Model>(models.map((model) => [model.label, model]));

// --- primary keys ------------------------------------------------------------------------

/**
 * How a DRF token's primary key is written by dumpdata here: the digest this server keeps in
 * place of the key (which it never stores), so a dump loads back into this server with every
 * token working. Django's own dumps carry the key itself, which loaddata digests.
 */
const tokenDigestPrefix = 'sha256$';

/** The stored primary key of an object: an integer id, or a token key's digest. */
export function readPrimaryKey(model: Model, pk: unknown): number | string {
  if (model.primaryKey === 'tokenKey') {
    if (typeof pk !== 'string' || pk === '') throw new FixtureError('the primary key must be the token key (a string)');
    const digest = pk.startsWith(tokenDigestPrefix) ? pk.slice(tokenDigestPrefix.length) : null;
    if (digest !== null && !/^[0-9a-f]{64}$/.test(digest)) throw new FixtureError(`"${pk}" is not a key digest (sha256$ and 64 hex digits)`);
    return digest ?? digestOf(pk);
  }
  return readId(pk, 'the primary key');
}

export const writePrimaryKey = (model: Model, stored: number | string): number | string =>
  model.primaryKey === 'tokenKey' ? `${tokenDigestPrefix}${String(stored)}` : stored;

/** An integer id, as Django's AutoField.to_python takes it (a JSON number or a string of digits). */
function readId(value: unknown, what: string): number {
  const id = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) {
    throw new FixtureError(`${what} must be a positive integer (got ${JSON.stringify(value)})`);
  }
  return id;
}

// --- field values ------------------------------------------------------------------------

/** A datetime as Django's fixture has it: ISO 8601 with Z or an offset; without either, UTC (TIME_ZONE="UTC"). */
export function readDatetime(value: string): Date {
  const match = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(value);
  const problem = () => new FixtureError(`“${value}” value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format.`);
  if (!match) throw problem();
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map((part) => Number(part ?? 0)) as [number, number, number, number, number, number];
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const check = new Date(wall);
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new FixtureError(`“${value}” value has the correct format (YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ]) but it is an invalid date/time.`);
  }
  const zone = match[8] ?? 'Z';
  if (zone === 'Z') return check;
  const [, sign, hours, minutes = '0'] = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone)!;
  const offset = (Number(hours) * 60 + Number(minutes)) * 60_000;
  return new Date(wall - (sign === '+' ? offset : -offset));
}

/** Django's DjangoJSONEncoder: milliseconds (none when zero) and Z. */
export const writeDatetime = (date: Date): string => date.toISOString().replace('.000Z', 'Z');

/** "12.5" → 1250n, exactly; more than 8 digits before the point, or cents that are not whole, are refused. */
export function readCents(value: unknown): bigint {
  const textValue = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  const match = typeof textValue === 'string' ? /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(textValue) : null;
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) throw new FixtureError(`“${String(value)}” value must be a decimal number.`);
  const [, sign, whole, fraction = ''] = match;
  const digits = whole!.replace(/^0+(?=\d)/, '');
  if (digits.length > 8) throw new FixtureError(`“${String(value)}” has more than 8 digits before the decimal point (amount is a DecimalField(max_digits=10, decimal_places=2)).`);
  if (/[1-9]/.test(fraction.slice(2))) throw new FixtureError(`“${String(value)}” has more than 2 decimal places (amount is a DecimalField(max_digits=10, decimal_places=2)).`);
  const cents = BigInt(digits || '0') * 100n + BigInt(fraction.padEnd(2, '0').slice(0, 2));
  return sign === '-' ? -cents : cents;
}

/** 1250n → "12.50", as Django's encoder writes a Decimal of two places. */
export function writeCents(cents: bigint): string {
  const magnitude = cents < 0n ? -cents : cents;
  return `${cents < 0n ? '-' : ''}${magnitude / 100n}.${String(magnitude % 100n).padStart(2, '0')}`;
}

/** A reference as the fixture has it: an id, or a natural key (a list of strings). */
export function readReference(value: unknown, field: string): Reference {
  if (Array.isArray(value)) {
    if (value.length === 0 || !value.every((part) => typeof part === 'string')) throw new FixtureError(`${field}: a natural key must be a list of strings (got ${JSON.stringify(value)})`);
    return value as string[];
  }
  return readId(value, field);
}

/**
 * A field's fixture value as its column value (a reference stays a Reference, resolved by
 * loaddata; a many-to-many field becomes a list of them). Django's to_python, strictly.
 */
export function readField(field: Field, value: unknown): unknown {
  if (value === null) {
    if (field.nullable) return null;
    throw new FixtureError(`${field.name}: this field cannot be null`);
  }
  switch (field.kind) {
    case 'text':
      if (typeof value !== 'string') throw new FixtureError(`${field.name}: expected a string (got ${JSON.stringify(value)})`);
      return value;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1) return value === 1;
      throw new FixtureError(`${field.name}: “${String(value)}” value must be either True or False.`);
    case 'datetime':
      if (typeof value !== 'string') throw new FixtureError(`${field.name}: expected a date and time (got ${JSON.stringify(value)})`);
      try {
        return readDatetime(value);
      } catch (error) {
        throw new FixtureError(`${field.name}: ${(error as Error).message}`);
      }
    case 'cents':
      try {
        return readCents(value);
      } catch (error) {
        throw new FixtureError(`${field.name}: ${(error as Error).message}`);
      }
    case 'foreignKey':
      return readReference(value, field.name);
    case 'manyToMany':
      if (!Array.isArray(value)) throw new FixtureError(`${field.name}: expected a list (got ${JSON.stringify(value)})`);
      return value.map((item) => readReference(item, field.name));
    case 'notKept':
      return undefined;
  }
}

/** A column value as dumpdata writes the field. */
export function writeField(field: Field, value: unknown): unknown {
  if (field.kind === 'notKept') return field.value;
  if (value === null || value === undefined) return null;
  if (field.kind === 'datetime') return writeDatetime(value as Date);
  if (field.kind === 'cents') return writeCents(value as bigint);
  return value;
}

// --- the file format ---------------------------------------------------------------------

export interface FixtureObject {
  model: string;
  pk: number | string;
  fields: Record<string, unknown>;
}

/**
 * The objects as Django's JSON serializer writes them: with --indent, one line per value and
 * `[`/`]` on their own lines; without, one line, with Python's `, ` and `: ` separators.
 */
export function serializeFixture(objects: readonly FixtureObject[], indent: number | undefined): string {
  if (indent !== undefined) {
    return objects.length === 0 ? '[\n]\n' : `[\n${objects.map((object) => JSON.stringify(object, null, indent)).join(',\n')}\n]\n`;
  }
  return `[${objects.map(pythonJson).join(', ')}]`;
}

/** json.dumps's default layout (`{"a": 1, "b": [1, 2]}`); escapes as JSON.stringify, non-ASCII kept. */
function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${pythonJson(item)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}
