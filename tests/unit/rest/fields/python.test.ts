// Python's readings of text, each case checked against /usr/bin/python3 3.11 (the DRF reference's).
import { describe, expect, it } from 'vitest';
import {
  isPythonDigits,
  isPythonWhitespace,
  parsePythonDecimal,
  parsePythonInt,
  pythonDigit,
  pythonNumberStr,
  pythonSplit,
  pythonStrip,
  scalePythonDecimal,
} from '../../../../src/rest/fields/index.js';
import { NumberLiteral } from '../../../../src/rest/parsers/json.js';

describe('Python whitespace (str.isspace)', () => {
  it('has U+001C–U+001F and U+0085, not U+FEFF, U+200B or U+180E (unlike JavaScript\'s \\s)', () => {
    for (const char of ['\t', '\n', '\v', '\f', '\r', ' ', '\x1c', '\x1d', '\x1e', '\x1f', '\x85', '\xa0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000']) {
      expect(isPythonWhitespace(char), JSON.stringify(char)).toBe(true);
    }
    for (const char of ['\ufeff', '\u200b', '\u180e', '\0', '_', 'a']) expect(isPythonWhitespace(char), JSON.stringify(char)).toBe(false);
  });

  it('str.strip() and str.split()', () => {
    expect(pythonStrip(' \x1c x \x1f\x85')).toBe('x');
    expect(pythonStrip('\ufeffx\ufeff')).toBe('\ufeffx\ufeff');
    expect(pythonStrip('😀 ')).toBe('😀');
    expect(pythonSplit('a\x1cb\x85c\ufeffd  e\u3000')).toEqual(['a', 'b', 'c\ufeffd', 'e']);
    expect(pythonSplit(' \x1f ')).toEqual([]);
  });
});

describe('Unicode decimal digits', () => {
  it('reads every Nd digit of Unicode 14 (Python 3.11), none of anything else', () => {
    expect(['0', '9', '٣', '۷', '３', '𝟐', '𝟿', '🯹'].map(pythonDigit)).toEqual([0, 9, 3, 7, 3, 2, 9, 9]);
    // Superscripts, circled digits and U+19DA are digits but not decimal; U+11F53 (Kawi) came with Unicode 15.
    for (const char of ['²', '①', '᧚', 'a', '\u{11f53}', '.', '/', ':']) expect(pythonDigit(char), char).toBeNull();
  });
});

describe('parsePythonInt (int())', () => {
  it('reads signs, underscores between digits, Unicode digits and surrounding whitespace', () => {
    expect(parsePythonInt(' +7 ')).toBe(7n);
    expect(parsePythonInt('-1_000')).toBe(-1000n);
    expect(parsePythonInt('٣_٣')).toBe(33n);
    expect(parsePythonInt('１_٣')).toBe(13n);
    expect(parsePythonInt('\x852\u3000')).toBe(2n);
    expect(parsePythonInt('\xa0007')).toBe(7n);
    expect(parsePythonInt('123456789012345678901234567890')).toBe(123456789012345678901234567890n);
  });

  it('refuses what int() refuses, U+001C–U+001F around it too (CPython maps only non-ASCII whitespace)', () => {
    for (const text of ['7.0', '1__0', '_1', '1_', '', ' ', '0x1f', '\x1c2', '2\x1f', '\ufeff2', '2\u200b', '+ 2', '1 2', '²', '1\0']) {
      expect(parsePythonInt(text), JSON.stringify(text)).toBeNull();
    }
  });

  it('refuses more than 4300 digits (sys.get_int_max_str_digits()), leading zeros counted', () => {
    expect(parsePythonInt('1'.repeat(4300))).toBe(BigInt('1'.repeat(4300)));
    expect(parsePythonInt(`-${'1_'.repeat(4299)}1`)).toBe(-BigInt('1'.repeat(4300)));
    expect(parsePythonInt('1'.repeat(4301))).toBeNull();
    expect(parsePythonInt('0'.repeat(4301))).toBeNull();
  });
});

describe('parsePythonDecimal (Decimal())', () => {
  const decimal = (text: string) => {
    const value = parsePythonDecimal(text);
    return value && { sign: value.negative ? 1 : 0, digits: value.digits, exponent: value.exponent };
  };

  it('gives the value as Decimal.as_tuple() does', () => {
    expect(decimal('007.50')).toEqual({ sign: 0, digits: '750', exponent: -2n });
    expect(decimal('-0.00')).toEqual({ sign: 1, digits: '0', exponent: -2n });
    expect(decimal('0e5')).toEqual({ sign: 0, digits: '0', exponent: 5n });
    expect(decimal('+.5')).toEqual({ sign: 0, digits: '5', exponent: -1n });
    expect(decimal('1.')).toEqual({ sign: 0, digits: '1', exponent: 0n });
    expect(decimal('1E+3')).toEqual({ sign: 0, digits: '1', exponent: 3n });
    expect(decimal('1_2.3_4e1_0')).toEqual({ sign: 0, digits: '1234', exponent: 8n });
  });

  it('drops every underscore, reads Unicode digits, strips Python whitespace (U+001C too)', () => {
    for (const text of ['1__0', '_10', '10_', '1_0']) expect(decimal(text), text).toEqual({ sign: 0, digits: '10', exponent: 0n });
    expect(decimal(' ٣.٥ ')).toEqual({ sign: 0, digits: '35', exponent: -1n });
    expect(decimal('\x1c1.5\x85')).toEqual({ sign: 0, digits: '15', exponent: -1n });
    expect(decimal('１e٣')).toEqual({ sign: 0, digits: '1', exponent: 3n });
  });

  it('refuses what Decimal() refuses, and the non-finite values', () => {
    for (const text of ['', '.', '_', '1e', 'e3', '1e+-3', '1 0', '\ufeff1', '_ 1', '1,5', '0x10', '²', 'Inf', '-infinity', 'In_finity', 'nan', 'NaN123', 'sNaN']) {
      expect(decimal(text), JSON.stringify(text)).toBeNull();
    }
  });

  it('keeps libmpdec\'s exponent bounds (adjusted exponent ≤ 999999999999999999, exponent ≥ -1999999999999999997)', () => {
    expect(decimal('1e999999999999999999')).toEqual({ sign: 0, digits: '1', exponent: 999999999999999999n });
    expect(decimal('0.0000000001e1000000000000000009')).toEqual({ sign: 0, digits: '1', exponent: 999999999999999999n });
    expect(decimal('12e999999999999999999')).toBeNull();
    expect(decimal('1e-1999999999999999997')).toEqual({ sign: 0, digits: '1', exponent: -1999999999999999997n });
    expect(decimal('1e-1999999999999999998')).toBeNull();
    expect(decimal('1e99999999999999999999')).toBeNull();
  });

  it('scales to a number of places, truncated toward zero, saying whether that cut anything', () => {
    const scale = (text: string) => scalePythonDecimal(parsePythonDecimal(text)!, 2);
    expect(scale('12.5')).toEqual({ scaled: 1250n, exact: true });
    expect(scale('-12.345')).toEqual({ scaled: -1234n, exact: false });
    expect(scale('2953e-2')).toEqual({ scaled: 2953n, exact: true });
    expect(scale('1.2300000e1')).toEqual({ scaled: 1230n, exact: true });
    expect(scale('0.001')).toEqual({ scaled: 0n, exact: false });
    expect(scale('0e-9')).toEqual({ scaled: 0n, exact: true });
    expect(scale('1e999999')).toEqual({ scaled: 10n ** 19n, exact: true });
    expect(scale('-123456789012345678901234.5')).toEqual({ scaled: -(10n ** 19n), exact: true });
    expect(scale('-123456789012345678901234.567')).toEqual({ scaled: -(10n ** 19n), exact: false });
    expect(scale('1e-999999')).toEqual({ scaled: 0n, exact: false });
  });
});

describe('pythonNumberStr (str() of what Python\'s json read)', () => {
  it('spells an integer exactly and any other number as the float repr()', () => {
    expect(pythonNumberStr(7)).toBe('7');
    expect(pythonNumberStr(new NumberLiteral('12345678901234567890'))).toBe('12345678901234567890');
    expect(pythonNumberStr(new NumberLiteral('123456789012345678.5'))).toBe('1.2345678901234568e+17');
    expect(pythonNumberStr(new NumberLiteral('1e16'))).toBe('1e+16');
    expect(pythonNumberStr(new NumberLiteral('1.50'))).toBe('1.5');
    expect(pythonNumberStr(new NumberLiteral('0.0001'))).toBe('0.0001');
  });
});

describe('isPythonDigits (str.isdigit())', () => {
  it('takes decimal digits, and digits such as ² and ①, but not ½ or Ⅰ', () => {
    expect(['123', '\u0661\u0662', '\u00b2\u00b3\u00b9', '\u2460\u24ea', '\u{1f100}'].every(isPythonDigits)).toBe(true);
    expect(['', '\u00bd', '1.5', '\u2160', '-1'].some(isPythonDigits)).toBe(false);
  });
});
