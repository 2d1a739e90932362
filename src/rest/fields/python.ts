// Python's readings and spellings of values, as DRF's messages and Django's lookups use them:
// type names, whitespace, int(), repr() of a float, and primary keys coerced as Django coerces them.
import { NumberLiteral } from '../parsers/json.js';

/** Python's type(value).__name__ for a parsed request value, as DRF's messages name it. */
export function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'int'; // the JSON parser keeps only safe integers as numbers
  if (value instanceof NumberLiteral) return /^-?\d+$/.test(value.text) ? 'int' : 'float';
  return 'dict';
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

// Python 3.11 (Unicode 14.0, the reference's): the code points str.isspace() accepts...
const pythonWhitespace = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004,
  0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

// ...and the zero of every run of ten decimal digits (Unicode category Nd) int() and Decimal() read.
const decimalZeros = [
  0x30, 0x660, 0x6f0, 0x7c0, 0x966, 0x9e6, 0xa66, 0xae6, 0xb66, 0xbe6, 0xc66, 0xce6, 0xd66, 0xde6, 0xe50, 0xed0, 0xf20,
  0x1040, 0x1090, 0x17e0, 0x1810, 0x1946, 0x19d0, 0x1a80, 0x1a90, 0x1b50, 0x1bb0, 0x1c40, 0x1c50, 0xa620, 0xa8d0, 0xa900,
  0xa9d0, 0xa9f0, 0xaa50, 0xabf0, 0xff10, 0x104a0, 0x10d30, 0x11066, 0x110f0, 0x11136, 0x111d0, 0x112f0, 0x11450, 0x114d0,
  0x11650, 0x116c0, 0x11730, 0x118e0, 0x11950, 0x11c50, 0x11d50, 0x11da0, 0x16a60, 0x16ac0, 0x16b50, 0x1d7ce, 0x1d7d8,
  0x1d7e2, 0x1d7ec, 0x1d7f6, 0x1e140, 0x1e2f0, 0x1e950, 0x1fbf0,
];

/** Python's str.isspace() of one character (JavaScript's \s differs: it has U+FEFF, lacks U+001C–U+001F and U+0085). */
export const isPythonWhitespace = (char: string): boolean => pythonWhitespace.has(char.codePointAt(0)!);

/** Python's str.strip() with no argument (on UTF-16 units: every Python whitespace is in the BMP). */
export function pythonStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && pythonWhitespace.has(text.charCodeAt(start))) start++;
  while (end > start && pythonWhitespace.has(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

/** Python's str.split() with no argument: runs of whitespace separate, none are kept, no empty parts. */
export function pythonSplit(text: string): string[] {
  const parts: string[] = [];
  let part = '';
  for (const char of text) {
    if (!isPythonWhitespace(char)) {
      part += char;
    } else if (part !== '') {
      parts.push(part);
      part = '';
    }
  }
  if (part !== '') parts.push(part);
  return parts;
}

/** The value of a Unicode decimal digit ('٣' → 3, '３' → 3), or null for any other character. */
export function pythonDigit(char: string): number | null {
  const code = char.codePointAt(0)!;
  let low = 0;
  let high = decimalZeros.length - 1;
  // The last zero at or below the code point: its run of ten holds the digit, if any does.
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (decimalZeros[middle]! <= code) low = middle;
    else high = middle - 1;
  }
  const value = code - decimalZeros[low]!;
  return value >= 0 && value < 10 ? value : null;
}

/**
 * Text with every Unicode decimal digit made ASCII and every non-ASCII whitespace a space,
 * as CPython does before int() and Decimal() parse it; null when any other non-ASCII
 * character is in it (no Python number has one).
 */
function asciiNumberText(text: string): string | null {
  let ascii = '';
  for (const char of text) {
    if (char.charCodeAt(0) < 0x80) ascii += char;
    else if (isPythonWhitespace(char)) ascii += ' ';
    else {
      const digit = pythonDigit(char);
      if (digit === null) return null;
      ascii += String(digit);
    }
  }
  return ascii;
}

const asciiDigits = /^[0-9]+$/;

/** Python 3.11's sys.get_int_max_str_digits(): int() refuses a string of more digits. */
export const pythonIntMaxStrDigits = 4300;

/**
 * Python's int() of a string: any Unicode decimal digits, a sign, `_` between digits, and
 * surrounding whitespace (ASCII \t\n\v\f\r and space, or any non-ASCII Python whitespace:
 * CPython maps only non-ASCII characters before parsing, so U+001C–U+001F are refused
 * though str.strip() removes them). Null when int() raises ValueError.
 */
export function parsePythonInt(text: string): bigint | null {
  // The common case (a URL id, a page number): ASCII digits only, read without the general pass.
  if (asciiDigits.test(text)) return text.length > pythonIntMaxStrDigits ? null : BigInt(text);
  const ascii = asciiNumberText(text);
  const match = ascii === null ? null : /^[ \t\n\v\f\r]*([+-]?)(\d+(?:_\d+)*)[ \t\n\v\f\r]*$/.exec(ascii);
  if (!match) return null;
  const digits = match[2]!.replaceAll('_', '');
  if (digits.length > pythonIntMaxStrDigits) return null;
  const magnitude = BigInt(digits);
  return match[1] === '-' ? -magnitude : magnitude;
}

/** A finite Python Decimal as its as_tuple() shows it: the value is ±digits × 10^exponent. */
export interface PythonDecimal {
  negative: boolean;
  /** The coefficient's digits, without leading zeros ("0" for zero); trailing zeros kept (7.50 → "750", exponent -2). */
  digits: string;
  exponent: bigint;
}

// Decimal's syntax once its text is ASCII and without underscores; infinities and NaNs are matched to be refused.
const decimalSyntax = /^([+-]?)(?:(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?|(inf|infinity|s?nan\d*))$/i;
// libmpdec's bounds (64-bit): the adjusted exponent at most MAX_EMAX, the exponent at least MIN_ETINY.
const maxAdjustedExponent = 999_999_999_999_999_999n;
const minExponent = -1_999_999_999_999_999_997n;

/**
 * Python's Decimal() of a string: surrounding Python whitespace, any Unicode decimal digits,
 * underscores anywhere (CPython drops them all), a sign, a point, an exponent. Null when
 * Decimal() raises, and for the NaNs and infinities, which DRF's DecimalField and Django's
 * forms.DecimalField both refuse with their "invalid" message.
 */
export function parsePythonDecimal(text: string): PythonDecimal | null {
  const ascii = asciiNumberText(pythonStrip(text).replaceAll('_', ''));
  const match = ascii === null ? null : decimalSyntax.exec(ascii);
  if (!match || match[5] !== undefined) return null;
  const [, sign, whole = '', fraction = '', exponentText = '0'] = match;
  if (whole === '' && fraction === '') return null;
  const digits = `${whole}${fraction}`.replace(/^0+(?=\d)/, '');
  const exponent = BigInt(exponentText) - BigInt(fraction.length);
  if (exponent < minExponent || exponent + BigInt(digits.length - 1) > maxAdjustedExponent) return null;
  return { negative: sign === '-', digits, exponent };
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
    const value = parsePythonInt(input);
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

/**
 * Python's str() of a JSON number as Python's json module reads it: an integer exactly, any
 * other number as the float it rounds to, in repr() (`1.50` → "1.5", `1e20` → "1e+20", `1e400` → "inf").
 */
export function pythonNumberStr(value: number | NumberLiteral): string {
  if (typeof value === 'number') return String(value); // the JSON parser keeps only safe integers as numbers
  return /^-?\d+$/.test(value.text) ? BigInt(value.text).toString() : pythonFloatRepr(Number(value.text));
}

// str.isdigit() is true for Numeric_Type Decimal (\p{Nd}) and Digit, which JavaScript has no
// property for: superscripts, subscripts, circled and parenthesized digits (Unicode 14, CPython 3.11).
const pythonDigits =
  /^[\p{Nd}\u{b2}-\u{b3}\u{b9}\u{1369}-\u{1371}\u{19da}\u{2070}\u{2074}-\u{2079}\u{2080}-\u{2089}\u{2460}-\u{2468}\u{2474}-\u{247c}\u{2488}-\u{2490}\u{24ea}\u{24f5}-\u{24fd}\u{24ff}\u{2776}-\u{277e}\u{2780}-\u{2788}\u{278a}-\u{2792}\u{10a40}-\u{10a43}\u{10e60}-\u{10e68}\u{11052}-\u{1105a}\u{1f100}-\u{1f10a}]+$/u;

/** Python's str.isdigit(): not empty, and every character a digit (² and ① too). */
export function isPythonDigits(text: string): boolean {
  return pythonDigits.test(text);
}
