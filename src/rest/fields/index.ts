// DRF serializer fields as zod schemas: the same accepted inputs, the same
// coercions and the same error messages as rest_framework.fields. Each field also
// carries its JSON Schema (zod .meta) so the OpenAPI document can be derived from it.
import { isIP } from 'node:net';
import { z } from 'zod';
import { and, eq, type Condition, type Table } from '../data/index.js';
import { NumberLiteral } from '../parsers/json.js';
import type { RequestContext } from '../types.js';

export const messages = {
  required: 'This field is required.',
  null: 'This field may not be null.',
  blank: 'This field may not be blank.',
  string: 'Not a valid string.',
  maxLength: (n: number) => `Ensure this field has no more than ${n} characters.`,
  nullCharacters: 'Null characters are not allowed.',
  surrogate: (codePoint: number) => `Surrogate characters are not allowed: U+${codePoint.toString(16).toUpperCase()}.`,
  number: 'A valid number is required.',
  stringTooLarge: 'String value too large.',
  maxDigits: (n: number) => `Ensure that there are no more than ${n} digits in total.`,
  maxDecimalPlaces: (n: number) => `Ensure that there are no more than ${n} decimal places.`,
  maxWholeDigits: (n: number) => `Ensure that there are no more than ${n} digits before the decimal point.`,
  datetime: 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].',
  email: 'Enter a valid email address.',
  doesNotExist: (pk: string) => `Invalid pk "${pk}" - object does not exist.`,
  incorrectPkType: (type: string) => `Incorrect type. Expected pk value, received ${type}.`,
} as const;

/** Python's type(value).__name__ for a parsed request value, as DRF's messages name it. */
export function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'int'; // the JSON parser keeps only safe integers as numbers
  if (value instanceof NumberLiteral) return /^-?\d+$/.test(value.text) ? 'int' : 'float';
  return 'dict';
}

/**
 * What DRF's SimpleMetadata (OPTIONS) and the browsable API's forms say of a field beyond its
 * JSON schema: a type the schema cannot tell (`field` for related and computed values), a label.
 */
export interface FieldDescription {
  type?: string;
  label?: string;
  maxLength?: number;
}

/** Descriptions of fields, kept apart from their JSON schema (`.meta` would put them in openapi.yaml). */
export const fieldDescriptions = z.registry<FieldDescription>();

/** The schema, described for OPTIONS and the browsable API. */
export function described<T extends z.ZodType>(schema: T, description: FieldDescription): T {
  fieldDescriptions.add(schema, description);
  return schema;
}

/** Thrown by a field parser: every message applies to the one field. */
export class FieldError extends Error {
  constructor(readonly messages: string[]) {
    super(messages.join(' '));
  }
}

export interface FieldOptions {
  allowNull?: boolean;
  /** DRF's relational fields read "" as null. */
  emptyIsNull?: boolean;
}

/**
 * A field value that only the request can finish (a related object must exist in the
 * caller's queryset): the serializer resolves it after the plain checks, and `resolve`
 * throws FieldError when the value is invalid after all.
 */
export class Deferred<T> {
  constructor(readonly resolve: (ctx: RequestContext) => Promise<T>) {}
}

/** The value a field stands for once deferred checks have run. */
export type Resolved<V> = V extends Deferred<infer T> ? T : V;

/**
 * A serializer field: DRF's required/null handling around a parser that either
 * returns the internal value or throws FieldError.
 */
export function field<T>(parse: (input: unknown) => T, jsonSchema: Record<string, unknown>, options: FieldOptions = {}) {
  return z
    .unknown()
    .transform((input, ctx): T | null => {
      if (input === '' && options.emptyIsNull) input = null;
      if (input === undefined) {
        ctx.addIssue({ code: 'custom', message: messages.required });
        return z.NEVER;
      }
      if (input === null) {
        if (options.allowNull) return null;
        ctx.addIssue({ code: 'custom', message: messages.null });
        return z.NEVER;
      }
      try {
        return parse(input);
      } catch (error) {
        if (!(error instanceof FieldError)) throw error;
        for (const message of error.messages) ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
    })
    .meta(options.allowNull ? { ...jsonSchema, nullable: true } : jsonSchema) as z.ZodType<T, unknown>;
}

/** Python's repr() of a float: shortest digits, ".0" on whole values, exponent outside [1e-4, 1e16). */
export function pythonFloatRepr(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  if (Object.is(value, -0)) return '-0.0';
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude < 1e-4 || magnitude >= 1e16)) return value.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/** A primary key as Django reads one (int(value)), with the text DRF's message shows. */
export interface PrimaryKey {
  /** Null when no row can have it (zero, negative, beyond the id range): nothing to look up. */
  id: number | null;
  /** Python's str() of the value, for `Invalid pk "…"`. */
  text: string;
}

/** Python's int() of a string: surrounding whitespace, a sign, `_` between digits; null when it refuses. */
export function pythonInt(text: string): bigint | null {
  const trimmed = text.trim();
  return /^[+-]?\d+(?:_\d+)*$/.test(trimmed) ? BigInt(trimmed.replaceAll('_', '')) : null;
}

/**
 * The largest id of Django's AutoField: the column is 32-bit (SERIAL on PostgreSQL, which
 * refuses a larger value in a query), so a larger id names no row and is never sent.
 */
export const maxAutoId = 2 ** 31 - 1;

const asId = (value: bigint | number): number | null => {
  const id = Number(value);
  return Number.isSafeInteger(id) && id > 0 && id <= maxAutoId ? id : null;
};

/**
 * Django's IntegerField lookup coercion, int(value): integers and integer strings (Python
 * syntax: surrounding spaces, a sign, `_` between digits) as they are, floats truncated.
 * Null for what int() refuses (booleans too, as DRF refuses them).
 */
export function parsePrimaryKey(input: unknown): PrimaryKey | null {
  if (typeof input === 'string') {
    const value = pythonInt(input);
    return value === null ? null : { id: asId(value), text: input };
  }
  // The JSON parser reads safe integers as numbers and keeps every other number's text.
  if (typeof input === 'number') return { id: asId(input), text: String(input) };
  if (!(input instanceof NumberLiteral)) return null;
  if (/^-?\d+$/.test(input.text)) {
    const whole = BigInt(input.text);
    return { id: asId(whole), text: whole.toString() };
  }
  const value = Number(input.text);
  return { id: Number.isFinite(value) ? asId(Math.trunc(value)) : null, text: pythonFloatRepr(value) };
}

/** The rows a related field may point at: a model and, optionally, the caller's part of it. */
export interface RelatedQueryset {
  table: Pick<Table<unknown>, 'count'>;
  scope?: (ctx: RequestContext) => Condition;
}

/** Whether the caller's part of the queryset has a row with this id: one query. */
export async function existsIn(queryset: RelatedQueryset, id: number, ctx: RequestContext): Promise<boolean> {
  const scope = queryset.scope?.(ctx);
  return (await queryset.table.count(scope ? and(scope, eq('id', id)) : eq('id', id))) > 0;
}

/**
 * DRF PrimaryKeyRelatedField: the id of a row of `queryset`, looked up in the caller's
 * scope, so an id outside it reads exactly like one that does not exist.
 * The internal value is the id.
 */
export function primaryKeyRelatedField(queryset: RelatedQueryset, options: { allowNull?: boolean } = {}) {
  const related = field(
    (input): Deferred<number> => {
      const pk = parsePrimaryKey(input);
      if (pk === null) throw new FieldError([messages.incorrectPkType(pythonTypeName(input))]);
      return new Deferred(async (ctx) => {
        const { id } = pk;
        if (id !== null && (await existsIn(queryset, id, ctx))) return id;
        throw new FieldError([messages.doesNotExist(pk.text)]);
      });
    },
    { type: 'integer' },
    { ...options, emptyIsNull: true },
  );
  return described(related, { type: 'field' });
}

// Python's len() counts code points; a JS string's length counts UTF-16 units.
const codePointLength = (s: string) => {
  let n = 0;
  for (const _ of s) n++;
  return n;
};
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A validator run on a string field's value: the error message, or undefined when valid. */
export type StringValidator = (value: string) => string | undefined;

export interface CharFieldOptions {
  maxLength?: number;
  allowBlank?: boolean;
  /** DRF's trim_whitespace (default true). DRF's own password fields keep their spaces. */
  trimWhitespace?: boolean;
  /** DRF's `validators=`: run before the field's own checks; every error is reported, as run_validators does. */
  validators?: readonly StringValidator[];
}

/** CharField and its subclasses (EmailField): `ownValidators` are the subclass's, run last as in DRF. */
function stringField(options: CharFieldOptions, jsonSchema: Record<string, unknown>, ownValidators: readonly StringValidator[] = []) {
  const { maxLength, allowBlank = false, trimWhitespace = true } = options;
  const maxLengthCheck: StringValidator = (value) =>
    maxLength !== undefined && codePointLength(value) > maxLength ? messages.maxLength(maxLength) : undefined;
  const nullCharacterCheck: StringValidator = (value) => (value.includes('\0') ? messages.nullCharacters : undefined);
  const surrogateCheck: StringValidator = (value) => {
    const surrogate = loneSurrogate.exec(value);
    return surrogate ? messages.surrogate(surrogate[0].charCodeAt(0)) : undefined;
  };
  const validators = [...(options.validators ?? []), maxLengthCheck, nullCharacterCheck, surrogateCheck, ...ownValidators];
  return field(
    (input): string => {
      if (input instanceof NumberLiteral || typeof input === 'number') input = String(input);
      if (typeof input !== 'string') throw new FieldError([messages.string]);
      const value = trimWhitespace ? input.trim() : input;
      if (value === '') {
        if (allowBlank) return '';
        throw new FieldError([messages.blank]);
      }
      const errors = validators.map((validate) => validate(value)).filter((error) => error !== undefined);
      if (errors.length > 0) throw new FieldError(errors);
      return value;
    },
    { type: 'string', ...(maxLength === undefined ? {} : { maxLength }), ...jsonSchema },
  );
}

/** DRF CharField: numbers become strings, whitespace is trimmed, blank refused unless allowed. */
export function charField(options: CharFieldOptions = {}) {
  return stringField(options, {});
}

// Django's EmailValidator: a dot-atom or quoted local part; a domain name (Unicode letters
// allowed), `localhost`, or an IP address literal in brackets.
// The quoted form admits control characters, as RFC 5322 (and Django's pattern) does.
const emailUserPart =
  // eslint-disable-next-line no-control-regex
  /^(?:[-!#$%&'*+/=?^_`{}|~0-9A-Z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9A-Z]+)*|"(?:[\x01-\x08\x0b\x0c\x0e-\x1f!#-[\]-\x7f]|\\[\x01-\x09\x0b\x0c\x0e-\x7f])*")$/i;
const unicodeLetters = '\u00a1-\uffff';
const emailDomainPart = new RegExp(
  `^[a-z${unicodeLetters}0-9](?:[a-z${unicodeLetters}0-9-]{0,61}[a-z${unicodeLetters}0-9])?` +
    `(?:\\.(?!-)[a-z${unicodeLetters}0-9-]{1,63}(?<!-))*` +
    `\\.(?!-)(?:[a-z${unicodeLetters}-]{2,63}|xn--[a-z0-9]{1,59})(?<!-)$`,
  'i',
);
const emailLiteralPart = /^\[([A-F0-9:.]+)\]$/i;

export function isEmailAddress(value: string): boolean {
  if (!value.includes('@') || codePointLength(value) > 320) return false;
  const at = value.lastIndexOf('@');
  const [user, domain] = [value.slice(0, at), value.slice(at + 1)];
  if (!emailUserPart.test(user)) return false;
  if (domain === 'localhost' || emailDomainPart.test(domain)) return true;
  const literal = emailLiteralPart.exec(domain);
  return literal !== null && isIP(literal[1]!) !== 0;
}

/** DRF EmailField (a CharField checked by Django's EmailValidator). */
export function emailField(options: CharFieldOptions = {}) {
  return stringField(options, { format: 'email' }, [(value) => (isEmailAddress(value) ? undefined : messages.email)]);
}

// Plain decimal notation only: exponents ("1e3"), NaN and Infinity are refused.
const decimalPattern = /^([+-]?)(\d*)(?:\.(\d*))?$/;

export interface DecimalParts {
  negative: boolean;
  /** Digits before the point, without leading zeros. */
  whole: string;
  /** Digits after the point, as written (trailing zeros count, as in Python's Decimal). */
  fraction: string;
}

export function parseDecimalText(text: string): DecimalParts | null {
  const match = decimalPattern.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return null;
  return { negative: match[1] === '-', whole: match[2]!.replace(/^0+/, ''), fraction: match[3] ?? '' };
}

/** The value times 10^places, truncated toward zero past `places` digits. */
export function scaleDecimal(parts: DecimalParts, places: number): bigint {
  const digits = `${parts.whole}${parts.fraction.padEnd(places, '0').slice(0, places)}`;
  const magnitude = BigInt(digits === '' ? '0' : digits);
  return parts.negative ? -magnitude : magnitude;
}

/** "1250" at 2 places → "12.50". */
export function formatScaled(value: bigint, places: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(places + 1, '0');
  const whole = digits.slice(0, digits.length - places);
  const fraction = digits.slice(digits.length - places);
  return `${negative ? '-' : ''}${whole}${places > 0 ? `.${fraction}` : ''}`;
}

/**
 * DRF DecimalField with exact arithmetic: the internal value is a bigint scaled by
 * 10^decimalPlaces (12.50 → 1250n). The text of a JSON number is kept by the
 * request parser, so no binary floating point is ever involved.
 */
export function decimalField(options: { maxDigits: number; decimalPlaces: number }) {
  const { maxDigits, decimalPlaces } = options;
  return field(
    (input): bigint => {
      if (typeof input === 'boolean' || (typeof input === 'object' && !(input instanceof NumberLiteral))) {
        throw new FieldError([messages.number]);
      }
      const text = String(input).trim();
      if (text.length > 1000) throw new FieldError([messages.stringTooLarge]);
      const parts = parseDecimalText(text);
      if (!parts) throw new FieldError([messages.number]);
      // DRF's validate_precision, on Python's (digits, exponent) view of the number.
      const significant = `${parts.whole}${parts.fraction}`.replace(/^0+/, '') || '0';
      const places = parts.fraction.length;
      const totalDigits = Math.max(significant.length, places);
      const wholeDigits = totalDigits - places;
      if (totalDigits > maxDigits) throw new FieldError([messages.maxDigits(maxDigits)]);
      if (places > decimalPlaces) throw new FieldError([messages.maxDecimalPlaces(decimalPlaces)]);
      if (wholeDigits > maxDigits - decimalPlaces) throw new FieldError([messages.maxWholeDigits(maxDigits - decimalPlaces)]);
      return scaleDecimal(parts, decimalPlaces);
    },
    { ...decimalJsonSchema(options), description: `At most ${maxDigits} digits, ${decimalPlaces} after the point. A JSON number is accepted too.` },
  );
}

/** drf-spectacular's schema of a DecimalField, for requests and representations alike. */
function decimalJsonSchema({ maxDigits, decimalPlaces }: { maxDigits: number; decimalPlaces: number }) {
  return { type: 'string', format: 'decimal', pattern: `^-?\\d{0,${maxDigits - decimalPlaces}}(?:\\.\\d{0,${decimalPlaces}})?$` };
}

// Django's parse_datetime (ISO 8601, "T" or space, optional seconds, fraction and offset);
// a date alone is midnight, as Python's datetime.fromisoformat reads it.
const isoDateTime =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6})\d*)?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/** ISO 8601 text → Date (naive times are UTC, the server's TIME_ZONE); null when invalid. */
export function parseDateTime(text: string): Date | null {
  const m = isoDateTime.exec(text.trim());
  if (!m) return null;
  const [year, month, day, hour = '0', minute = '0', second = '0'] = m.slice(1, 7) as string[];
  const micro = (m[7] ?? '').padEnd(6, '0');
  const fields = [Number(year), Number(month), Number(day), Number(hour), Number(minute), Number(second)] as const;
  const utc = Date.UTC(fields[0], fields[1] - 1, fields[2], fields[3], fields[4], fields[5], Number(micro.slice(0, 3)));
  const date = new Date(utc);
  // Reject rolled-over dates such as 2024-02-30 or 25:00.
  if (date.getUTCFullYear() !== fields[0] || date.getUTCMonth() !== fields[1] - 1 || date.getUTCDate() !== fields[2]) return null;
  if (fields[3] > 23 || fields[4] > 59 || fields[5] > 59) return null;
  const zone = m[8];
  if (!zone || zone.toUpperCase() === 'Z') return date;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const offsetMinutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0');
  if (offsetMinutes >= 24 * 60) return null;
  return new Date(utc - sign * offsetMinutes * 60_000);
}

export function dateTimeField(options: FieldOptions = {}) {
  return field(
    (input): Date => {
      const value = typeof input === 'string' ? parseDateTime(input) : null;
      if (!value) throw new FieldError([messages.datetime]);
      return value;
    },
    { type: 'string', format: 'date-time' },
    options,
  );
}

/**
 * Schemas of represented values (a serializer's `output`), where they are more than a
 * plain zod type: what DRF renders for a decimal and a date-time.
 */
export const representation = {
  decimal: (options: { maxDigits: number; decimalPlaces: number }) => z.string().meta(decimalJsonSchema(options)),
  dateTime: () => z.string().meta({ format: 'date-time' }),
  /** DRF's ReadOnlyField (a value taken from the model as it is, e.g. `source='owner.username'`): type `field` in OPTIONS. */
  field: <T extends z.ZodType>(schema: T) => described(schema, { type: 'field' }),
};

/**
 * DRF's DateTimeField output: ISO 8601 in UTC with "Z", microseconds only when
 * there is a fraction (Python's isoformat).
 */
export function formatDateTime(date: Date): string {
  const iso = date.toISOString();
  return date.getUTCMilliseconds() === 0 ? `${iso.slice(0, 19)}Z` : `${iso.slice(0, 23)}000Z`;
}
