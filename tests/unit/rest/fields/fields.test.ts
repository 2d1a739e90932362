// The serializer fields on their own: the inputs DRF's fields accept, the values they make of
// them, and DRF's exact messages for the rest (rest_framework/fields.py, Django's parse_datetime).
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  charField,
  dateTimeField,
  decimalField,
  emailField,
  formatDateTime,
  formatScaled,
  parseDateTime,
  parsePythonInt,
  pythonTypeName,
} from '../../../../src/rest/fields/index.js';
import { NumberLiteral } from '../../../../src/rest/parsers/json.js';

/** The field's value, or its messages (what a serializer reports under the field's name). */
function run(schema: z.ZodType, input: unknown): { value: unknown } | { errors: string[] } {
  const result = schema.safeParse(input);
  return result.success ? { value: result.data } : { errors: result.error.issues.map((issue) => issue.message) };
}

describe('every field: required and null (Field.validate_empty_values)', () => {
  it('refuses a missing value and null, unless null is allowed', () => {
    expect(run(charField(), undefined)).toEqual({ errors: ['This field is required.'] });
    expect(run(charField(), null)).toEqual({ errors: ['This field may not be null.'] });
    expect(run(dateTimeField({ allowNull: true }), null)).toEqual({ value: null });
  });
});

describe('charField', () => {
  it('trims surrounding whitespace, unless trimWhitespace is false', () => {
    expect(run(charField(), '  Hello \n')).toEqual({ value: 'Hello' });
    expect(run(charField({ trimWhitespace: false }), '  pass word ')).toEqual({ value: '  pass word ' });
  });

  it('refuses a blank value (whitespace only counts as blank), unless allowBlank', () => {
    expect(run(charField(), '')).toEqual({ errors: ['This field may not be blank.'] });
    expect(run(charField(), '   ')).toEqual({ errors: ['This field may not be blank.'] });
    expect(run(charField({ allowBlank: true }), '   ')).toEqual({ value: '' });
  });

  it('trims Python\'s whitespace (str.strip): U+001C–U+001F and U+0085 too, but not a byte order mark', () => {
    expect(run(charField(), '\u001cx\u001d\u0085')).toEqual({ value: 'x' });
    expect(run(charField(), '\u001c')).toEqual({ errors: ['This field may not be blank.'] });
    expect(run(charField(), '\ufeffx\ufeff')).toEqual({ value: '\ufeffx\ufeff' });
  });

  it('counts maxLength in code points, as Python len() does', () => {
    const field = charField({ maxLength: 3 });
    expect(run(field, 'abc')).toEqual({ value: 'abc' });
    expect(run(field, '😀😀😀')).toEqual({ value: '😀😀😀' });
    expect(run(field, 'abcd')).toEqual({ errors: ['Ensure this field has no more than 3 characters.'] });
    // The length is checked after trimming.
    expect(run(field, '  abc  ')).toEqual({ value: 'abc' });
  });

  it('turns integers into their text, and refuses booleans, lists and objects', () => {
    expect(run(charField(), 42)).toEqual({ value: '42' });
    expect(run(charField(), new NumberLiteral('99999999999999999999'))).toEqual({ value: '99999999999999999999' });
    // Other JSON numbers are Python floats, and str() gives their repr().
    const floats: [string, string][] = [['1.50', '1.5'], ['1E2', '100.0'], ['1e20', '1e+20'], ['1.0e-5', '1e-05'], ['1e400', 'inf'], ['-0.0', '-0.0']];
    for (const [literal, text] of floats) expect(run(charField(), new NumberLiteral(literal))).toEqual({ value: text });
    for (const input of [true, false, ['a'], { a: 1 }]) expect(run(charField(), input)).toEqual({ errors: ['Not a valid string.'] });
  });

  it('refuses null characters and lone surrogates', () => {
    expect(run(charField(), 'a\0b')).toEqual({ errors: ['Null characters are not allowed.'] });
    expect(run(charField(), 'a\uD800b')).toEqual({ errors: ['Surrogate characters are not allowed: U+D800.'] });
    expect(run(charField(), 'a\uDFFFb')).toEqual({ errors: ['Surrogate characters are not allowed: U+DFFF.'] });
  });

  it('runs its validators on the trimmed value before its own checks, and reports every error (run_validators)', () => {
    const seen: string[] = [];
    const field = charField({
      maxLength: 4,
      validators: [(value) => (seen.push(value), value.startsWith('x') ? 'Must not start with x.' : undefined)],
    });
    expect(run(field, ' xyzzy ')).toEqual({ errors: ['Must not start with x.', 'Ensure this field has no more than 4 characters.'] });
    expect(seen).toEqual(['xyzzy']);
  });
});

describe('emailField', () => {
  it.each(['alice@example.com', 'a.b+tag@sub.example.org', 'user@localhost', 'user@[127.0.0.1]', 'user@[::1]', '"john..doe"@example.com', 'joerg@bücher.example'])(
    'accepts %s',
    (address) => {
      expect(run(emailField(), address)).toEqual({ value: address });
    },
  );

  it.each(['alice', 'alice@', '@example.com', 'alice@example', 'a..b@example.com', 'alice@-example.com', 'user@[999.1.1.1]', 'alice@example.c'])(
    'refuses %s with Django\'s EmailValidator message',
    (address) => {
      expect(run(emailField(), address)).toEqual({ errors: ['Enter a valid email address.'] });
    },
  );

  it.each([[['a@b.co']], [{}], [true], [12]])('refuses %j with its own invalid message, as DRF\'s EmailField', (input) => {
    expect(run(emailField(), input)).toEqual({ errors: ['Enter a valid email address.'] });
  });

  it('is a CharField first: trimmed, blank refused before the address is checked', () => {
    expect(run(emailField(), '  alice@example.com ')).toEqual({ value: 'alice@example.com' });
    expect(run(emailField(), ' ')).toEqual({ errors: ['This field may not be blank.'] });
  });
});

describe('decimalField (max_digits=10, decimal_places=2)', () => {
  const amount = decimalField({ maxDigits: 10, decimalPlaces: 2 });

  it.each<[unknown, bigint]>([
    ['12.5', 1250n],
    [' 12.50 ', 1250n],
    ['-0.01', -1n],
    ['+7', 700n],
    ['12.', 1200n],
    ['.5', 50n],
    ['0.00', 0n],
    ['00012.30', 1230n],
    ['12345678.99', 1234567899n],
    [12, 1200n],
    [new NumberLiteral('12.34'), 1234n],
    // Python's Decimal(): exponents, `_` anywhere, any Unicode decimal digit, Python's whitespace.
    ['1.25e2', 12500n],
    ['1E+1', 1000n],
    ['1.250e1', 1250n],
    ['0e5', 0n],
    ['1_000.5', 100050n],
    ['_1', 100n],
    ['\u0661\u0662.\u0665', 1250n],
    ['\uff11\uff12', 1200n],
    ['\u001c7\u0085', 700n],
    // A JSON number is the float Python's json makes of it, read through its repr().
    [new NumberLiteral('1.0000'), 100n],
    [new NumberLiteral('1e2'), 10000n],
    [new NumberLiteral('12345678.9'), 1234567890n],
  ])('reads %o exactly as %o cents', (input, cents) => {
    expect(run(amount, input)).toEqual({ value: cents });
  });

  it('refuses what Decimal() does not read, NaN, infinities and booleans', () => {
    for (const input of ['abc', '', '1.2.3', '1,5', 'NaN', 'sNaN', 'Infinity', '-Inf', '\ufeff7', '_', '1 _', '1e9999999999999999999', true, [], {}, new NumberLiteral('1e400')]) {
      expect(run(amount, input)).toEqual({ errors: ['A valid number is required.'] });
    }
  });

  it('checks the precision as validate_precision does, one message at a time', () => {
    expect(run(amount, '12345678901')).toEqual({ errors: ['Ensure that there are no more than 10 digits in total.'] });
    expect(run(amount, '1.234')).toEqual({ errors: ['Ensure that there are no more than 2 decimal places.'] });
    // Trailing zeros are digits to Python's Decimal.
    expect(run(amount, '1.230')).toEqual({ errors: ['Ensure that there are no more than 2 decimal places.'] });
    expect(run(amount, '123456789.1')).toEqual({ errors: ['Ensure that there are no more than 8 digits before the decimal point.'] });
    expect(run(amount, '123456789')).toEqual({ errors: ['Ensure that there are no more than 8 digits before the decimal point.'] });
    // Exponents count as digits: 1e999 has 1000 of them, 1e-999 has 999 places, 0e9 ten digits before the point.
    expect(run(amount, '1e999')).toEqual({ errors: ['Ensure that there are no more than 10 digits in total.'] });
    expect(run(amount, '1e-999')).toEqual({ errors: ['Ensure that there are no more than 10 digits in total.'] });
    expect(run(amount, '0e9')).toEqual({ errors: ['Ensure that there are no more than 8 digits before the decimal point.'] });
    expect(run(amount, new NumberLiteral('1E-5'))).toEqual({ errors: ['Ensure that there are no more than 2 decimal places.'] });
  });

  it('refuses a text longer than 1000 characters before reading it', () => {
    expect(run(amount, '1'.repeat(1001))).toEqual({ errors: ['String value too large.'] });
  });
});

describe('scaled decimals as text', () => {
  it('formats a scaled value with exactly its places', () => {
    expect(formatScaled(1250n, 2)).toBe('12.50');
    expect(formatScaled(-5n, 2)).toBe('-0.05');
    expect(formatScaled(0n, 2)).toBe('0.00');
    expect(formatScaled(7n, 0)).toBe('7');
  });
});

describe('dateTimeField and parseDateTime (Django\'s parse_datetime, TIME_ZONE="UTC")', () => {
  it.each([
    ['2024-02-29T12:30:15Z', '2024-02-29T12:30:15.000Z'],
    ['2024-02-29 12:30', '2024-02-29T12:30:00.000Z'],
    ['2024-02-29T12:30:15.123456', '2024-02-29T12:30:15.123Z'],
    ['2024-02-29T12:30:15,5Z', '2024-02-29T12:30:15.500Z'],
    ['2024-01-01T00:00:00+02:00', '2023-12-31T22:00:00.000Z'],
    ['2024-01-01T00:00:00-0130', '2024-01-01T01:30:00.000Z'],
    ['2024-01-01T00:00:00+05', '2023-12-31T19:00:00.000Z'],
    ['2024-5-1T1:2', '2024-05-01T01:02:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0099-12-31T23:59', '0099-12-31T23:59:00.000Z'],
    ['2024-05-01T10:00:00.123456789012Z', '2024-05-01T10:00:00.123Z'],
    ['2024-05-01T10:00:00Z\n', '2024-05-01T10:00:00.000Z'],
  ])('reads %j as %s', (text, iso) => {
    expect(parseDateTime(text)?.toISOString()).toBe(iso);
    expect(run(dateTimeField(), text)).toEqual({ value: new Date(iso) });
  });

  it('refuses other formats, impossible dates and times, and non-strings with DRF\'s message', () => {
    const message = 'Datetime has wrong format. Use one of these formats instead: YYYY-MM-DDThh:mm[:ss[.uuuuuu]][+HH:MM|-HH:MM|Z].';
    for (const input of ['yesterday', '2023-02-29T00:00', '2024-13-01T00:00', '2024-01-01T24:00', '2024-01-01T12:60', '2024-01-01T00:00+24:00', '01/02/2024', 1704067200, true,
      // Django 3.2's pattern (checked with its parse_datetime): no date alone, no lower case,
      // no whitespace around, at most 12 fraction digits, no year 0.
      '2024-01-01', '2024-05-01t10:00:00z', ' 2024-05-01T10:00', '2024-05-01T10:00 ', '2024-05-01T10:00:00 +05:00',
      '2024-05-01T10:00:00.1234567890123Z', '0000-01-01T00:00',
      // Out of Python's range once in UTC (DRF answers 500).
      '0001-01-01T00:00:00+14:00', '9999-12-31T23:59:59-01:00']) {
      expect(run(dateTimeField(), input)).toEqual({ errors: [message] });
    }
  });

  it('writes UTC with Z, and microseconds only when there is a fraction (isoformat)', () => {
    expect(formatDateTime(new Date('2024-01-02T03:04:05Z'))).toBe('2024-01-02T03:04:05Z');
    expect(formatDateTime(new Date('2024-01-02T03:04:05.12Z'))).toBe('2024-01-02T03:04:05.120000Z');
  });
});

describe('Python readings', () => {
  it('reads an int as Python\'s int() does: spaces, a sign, underscores between digits', () => {
    expect(parsePythonInt(' +7 ')).toBe(7n);
    expect(parsePythonInt('-1_000')).toBe(-1000n);
    expect(parsePythonInt('123456789012345678901234567890')).toBe(123456789012345678901234567890n);
    for (const text of ['7.0', '1__0', '_1', '1_', '', '0x1f']) expect(parsePythonInt(text)).toBeNull();
  });

  it('names a parsed request value\'s Python type, as DRF\'s messages do', () => {
    expect([[1], 'x', true, 3, new NumberLiteral('10'), new NumberLiteral('1.5'), new NumberLiteral('1e3'), { a: 1 }].map(pythonTypeName)).toEqual([
      'list',
      'str',
      'bool',
      'int',
      'int',
      'float',
      'float',
      'dict',
    ]);
  });
});
