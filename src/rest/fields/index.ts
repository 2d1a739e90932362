// DRF serializer fields as zod schemas: the same accepted inputs, the same
// coercions and the same error messages as rest_framework.fields. Each field also
// carries its JSON Schema (zod .meta) so the OpenAPI document can be derived from it.
import { isIP } from 'node:net';
import { z } from 'zod';
import { NumberLiteral } from '../parsers/json.js';
import { parseDateTime } from './datetime.js';
import { scalePythonDecimal } from './decimal.js';
import { described, field, FieldError, messages, type FieldOptions } from './field.js';
import { parsePythonDecimal, pythonNumberStr, pythonStrip } from './python.js';

export * from './datetime.js';
export * from './decimal.js';
export * from './field.js';
export * from './python.js';
export * from './related.js';

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

/**
 * CharField and its subclasses (EmailField): `ownValidators` are the subclass's, run last as in DRF;
 * `invalid` is its `invalid` message, given to a value that is not a string (a list, a boolean).
 */
function stringField(
  options: CharFieldOptions,
  jsonSchema: Record<string, unknown>,
  ownValidators: readonly StringValidator[] = [],
  invalid: string = messages.string,
) {
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
      // DRF's str(data) of an int or a float (a JSON 1.50 is "1.5"); booleans and containers are refused.
      if (input instanceof NumberLiteral || typeof input === 'number') input = pythonNumberStr(input);
      if (typeof input !== 'string') throw new FieldError([invalid]);
      const value = trimWhitespace ? pythonStrip(input) : input;
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

/** DRF CharField: numbers become strings, whitespace (Python's str.strip) is trimmed, blank refused unless allowed. */
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
  // EmailField's `invalid` message is the validator's, so a list or a boolean gets it too.
  return stringField(options, { format: 'email' }, [(value) => (isEmailAddress(value) ? undefined : messages.email)], messages.email);
}

/**
 * DRF DecimalField with exact arithmetic: the internal value is a bigint scaled by
 * 10^decimalPlaces (12.50 → 1250n). The text is read as DRF reads it, Decimal(smart_str(data).strip()):
 * Python's decimal syntax (exponents, `_`, Unicode digits), and a JSON number as the float Python's
 * json module makes of it (`1.0000` → 1.0, `1e2` → 100.0), with no binary arithmetic on the value.
 */
export function decimalField(options: { maxDigits: number; decimalPlaces: number }) {
  const { maxDigits, decimalPlaces } = options;
  const maxWholeDigits = maxDigits - decimalPlaces;
  return field(
    (input): bigint => {
      if (typeof input !== 'string' && typeof input !== 'number' && !(input instanceof NumberLiteral)) {
        throw new FieldError([messages.number]);
      }
      const text = pythonStrip(typeof input === 'string' ? input : pythonNumberStr(input));
      if (codePointLength(text) > 1000) throw new FieldError([messages.stringTooLarge]);
      const value = parsePythonDecimal(text);
      if (!value) throw new FieldError([messages.number]);
      // DRF's validate_precision, on Decimal.as_tuple().
      const { digits, exponent } = value;
      const digitCount = BigInt(digits.length);
      const [totalDigits, wholeDigits, places] =
        exponent >= 0n
          ? [digitCount + exponent, digitCount + exponent, 0n]
          : digitCount > -exponent
            ? [digitCount, digitCount + exponent, -exponent]
            : [-exponent, 0n, -exponent];
      if (totalDigits > maxDigits) throw new FieldError([messages.maxDigits(maxDigits)]);
      if (places > decimalPlaces) throw new FieldError([messages.maxDecimalPlaces(decimalPlaces)]);
      if (wholeDigits > maxWholeDigits) throw new FieldError([messages.maxWholeDigits(maxWholeDigits)]);
      // Quantized to decimalPlaces: exact, as the checks above leave nothing to round.
      return scalePythonDecimal(value, decimalPlaces).scaled;
    },
    { ...decimalJsonSchema(options), description: `At most ${maxDigits} digits, ${decimalPlaces} after the point. A JSON number is accepted too.` },
  );
}

/** drf-spectacular's schema of a DecimalField, for requests and representations alike. */
function decimalJsonSchema({ maxDigits, decimalPlaces }: { maxDigits: number; decimalPlaces: number }) {
  return { type: 'string', format: 'decimal', pattern: `^-?\\d{0,${maxDigits - decimalPlaces}}(?:\\.\\d{0,${decimalPlaces}})?$` };
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
