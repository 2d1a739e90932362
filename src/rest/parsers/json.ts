// JSON parser for request bodies.
//
// Why not JSON.parse:
// - money must never pass through binary floating point, so every numeric
//   literal that is not a safe integer keeps its exact source text;
// - Django REST Framework answers malformed JSON with
//   `JSON parse error - <message of Python's json module>`, and clients
//   migrating from it rely on those messages, so errors reproduce the text
//   and positions of CPython 3.11's C scanner (Modules/_json.c) exactly.
//
// Nesting is handled with an explicit stack instead of recursion, so no input
// and no `maxDepth` setting can overflow the JS call stack.

/** A numeric literal kept as its exact source text (fraction, exponent or unsafe integer). */
export class NumberLiteral {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }

  // JSON.stringify quotes the text; callers that need the bare literal use `text`.
  toJSON(): string {
    return this.text;
  }
}

/** Malformed JSON; `message` is Python's, e.g. `Expecting value: line 1 column 1 (char 0)`. */
export class JsonParseError extends Error {
  override name = 'JsonParseError';

  constructor(
    /** Python's message without the position suffix. */
    readonly msg: string,
    /** 0-based offset in code points, as Python counts it. */
    readonly pos: number,
    readonly lineno: number,
    readonly colno: number,
  ) {
    super(`${msg}: line ${lineno} column ${colno} (char ${pos})`);
  }
}

/**
 * NaN and ±Infinity: Python's json would read them, DRF's JSONParser refuses them
 * (parse_constant=strict_constant) with this message, which has no position.
 */
export class JsonConstantError extends Error {
  override name = 'JsonConstantError';

  constructor(constant: string) {
    super(`Out of range float values are not JSON compliant: '${constant}'`);
  }
}

export interface ParseJsonOptions {
  /** Deepest allowed nesting of arrays and objects (default 512). */
  maxDepth?: number;
}

type JsonObject = Record<string, unknown>;
type Container = unknown[] | JsonObject;

const DEFAULT_MAX_DEPTH = 512;

// Character codes used by the scanner.
const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const PLUS = 0x2b;
const COMMA = 0x2c;
const MINUS = 0x2d;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const COLON = 0x3a;
const BRACKET_OPEN = 0x5b;
const BACKSLASH = 0x5c;
const BRACKET_CLOSE = 0x5d;
const BRACE_OPEN = 0x7b;
const BRACE_CLOSE = 0x7d;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const LOWER_U = 0x75;
const BOM = 0xfeff;

// Integers with at most 15 digits are always below 2**53, so they can be
// accumulated digit by digit without any check.
const ALWAYS_SAFE_DIGITS = 15;

/**
 * Builds the error with Python's position: offsets count code points (an
 * astral character is one char, not two UTF-16 units), lines count only "\n".
 */
function fail(text: string, msg: string, index: number): never {
  let pos = 0;
  let lineno = 1;
  let lastNewline = -1; // code-point offset of the last "\n" before index
  for (let i = 0; i < index; i++) {
    const c = text.charCodeAt(i);
    if (c === LF) {
      lineno++;
      lastNewline = pos;
    } else if (c >= 0xd800 && c <= 0xdbff && i + 1 < index) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    pos++;
  }
  throw new JsonParseError(msg, pos, lineno, pos - lastNewline);
}

function isWhitespace(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57; // a-f
  if (c >= 0x41 && c <= 0x46) return c - 0x37; // A-F
  return -1;
}

/** Four hex digits at `start`, or -1 if any is not a hex digit. */
function readHex4(text: string, start: number): number {
  const a = hexValue(text.charCodeAt(start));
  const b = hexValue(text.charCodeAt(start + 1));
  const c = hexValue(text.charCodeAt(start + 2));
  const d = hexValue(text.charCodeAt(start + 3));
  if ((a | b | c | d) < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

function simpleEscape(c: number): string | undefined {
  switch (c) {
    case QUOTE:
      return '"';
    case BACKSLASH:
      return '\\';
    case 0x2f:
      return '/';
    case 0x62:
      return '\b';
    case 0x66:
      return '\f';
    case 0x6e:
      return '\n';
    case 0x72:
      return '\r';
    case 0x74:
      return '\t';
    default:
      return undefined;
  }
}

// `obj[key] = value` with key "__proto__" would call the Object.prototype
// setter and swap the prototype; defineProperty stores an ordinary own
// property instead. Last duplicate wins, as in Python.
function setMember(obj: JsonObject, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

class Scanner {
  pos = 0;
  private readonly length: number;
  // Recently seen escape-free keys, by their first two characters. Reusing the
  // string V8 has already internalized roughly halves the cost of storing the
  // property on bodies with many records of the same shape.
  private readonly keyCache: string[] = new Array<string>(256).fill('');

  constructor(private readonly text: string) {
    this.length = text.length;
  }

  skipWhitespace(): void {
    const text = this.text;
    let i = this.pos;
    while (i < this.length && isWhitespace(text.charCodeAt(i))) i++;
    this.pos = i;
  }

  /** The code at `pos`, or -1 at the end of input. */
  peek(): number {
    return this.pos < this.length ? this.text.charCodeAt(this.pos) : -1;
  }

  /**
   * String whose opening quote is at `pos`; leaves `pos` after the closing
   * quote. Runs between escapes are sliced, never copied char by char.
   * Error positions and the order of checks follow scanstring_unicode.
   */
  string(): string {
    const text = this.text;
    const length = this.length;
    const begin = this.pos;
    let i = begin + 1;
    let runStart = i;
    let out = '';
    for (;;) {
      let c = 0;
      for (; i < length; i++) {
        c = text.charCodeAt(i);
        if (c === QUOTE || c === BACKSLASH) break;
        if (c < 0x20) fail(text, 'Invalid control character at', i);
      }
      if (i >= length) fail(text, 'Unterminated string starting at', begin);
      if (c === QUOTE) {
        this.pos = i + 1;
        return runStart === begin + 1 ? text.slice(runStart, i) : out + text.slice(runStart, i);
      }
      out += text.slice(runStart, i);
      i++; // the character after the backslash
      if (i >= length) fail(text, 'Unterminated string starting at', begin);
      c = text.charCodeAt(i);
      if (c !== LOWER_U) {
        const decoded = simpleEscape(c);
        if (decoded === undefined) fail(text, 'Invalid \\escape', i - 1);
        out += decoded;
        i++;
      } else {
        // Python demands a character after the four digits (`>=`, not `>`),
        // so an unterminated "\u1234 reports the escape, not the string.
        const end = i + 5;
        if (end >= length) fail(text, 'Invalid \\uXXXX escape', i);
        let unit = readHex4(text, i + 1);
        if (unit < 0) fail(text, 'Invalid \\uXXXX escape', i);
        i = end;
        // A high surrogate followed by a "\u" escape: join them when the second is a
        // low surrogate; otherwise the second escape is decoded on its own next round.
        if (
          unit >= 0xd800 &&
          unit <= 0xdbff &&
          end + 6 < length &&
          text.charCodeAt(end) === BACKSLASH &&
          text.charCodeAt(end + 1) === LOWER_U
        ) {
          const low = readHex4(text, end + 2);
          if (low < 0) fail(text, 'Invalid \\uXXXX escape', end + 1);
          if (low >= 0xdc00 && low <= 0xdfff) {
            out += String.fromCharCode(unit, low);
            unit = -1;
            i = end + 6;
          }
        }
        if (unit >= 0) out += String.fromCharCode(unit);
      }
      runStart = i;
    }
  }

  /**
   * Number starting at `pos` (a '-' or a digit was seen, or nothing valid at all).
   * Mirrors _match_number_unicode: the longest prefix matching
   * -?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)? is taken and the rest is left for the caller.
   */
  number(): number | NumberLiteral {
    const text = this.text;
    const length = this.length;
    const start = this.pos;
    let i = start;
    let c = text.charCodeAt(i);
    if (c === MINUS) {
      i++;
      c = i < length ? text.charCodeAt(i) : -1;
    }
    let value = 0;
    if (c === ZERO) {
      i++;
    } else if (c > ZERO && c <= NINE) {
      do {
        value = value * 10 + (c - ZERO);
        i++;
        c = i < length ? text.charCodeAt(i) : -1;
      } while (c >= ZERO && c <= NINE);
    } else {
      fail(text, 'Expecting value', start);
    }
    const integerEnd = i;

    // A fraction needs at least one digit after the dot; otherwise the dot is not ours.
    if (i + 1 < length && text.charCodeAt(i) === DOT) {
      c = text.charCodeAt(i + 1);
      if (c >= ZERO && c <= NINE) {
        i += 2;
        while (i < length && (c = text.charCodeAt(i)) >= ZERO && c <= NINE) i++;
      }
    }
    // An exponent needs at least one digit; otherwise backtrack to before the 'e'.
    if (i + 1 < length && ((c = text.charCodeAt(i)) === LOWER_E || c === UPPER_E)) {
      let j = i + 1;
      c = text.charCodeAt(j);
      if (c === PLUS || c === MINUS) j++;
      const digitsStart = j;
      while (j < length && (c = text.charCodeAt(j)) >= ZERO && c <= NINE) j++;
      if (j > digitsStart) i = j;
    }
    this.pos = i;

    if (i === integerEnd) {
      const negative = text.charCodeAt(start) === MINUS;
      const digits = i - start - (negative ? 1 : 0);
      if (digits <= ALWAYS_SAFE_DIGITS) {
        // `0 - 0` would be -0; money code has no use for it.
        return negative && value !== 0 ? -value : value;
      }
      // Longer: `value` may already be rounded, so judge by the exact text.
      // Anything beyond 2**53 - 1 rounds to at least 2**53, which is not safe.
      const exact = Number(text.slice(start, i));
      if (Number.isSafeInteger(exact)) return exact;
    }
    return new NumberLiteral(text.slice(start, i));
  }

  /** Expects `literal` at `pos`; Python reports a mismatch as "Expecting value". */
  keyword(literal: string, value: unknown): unknown {
    if (!this.text.startsWith(literal, this.pos)) fail(this.text, 'Expecting value', this.pos);
    this.pos += literal.length;
    return value;
  }

  /** Like string(), for a key: answers from keyCache when the source text matches. */
  key(): string {
    const text = this.text;
    const start = this.pos + 1;
    const slot = (text.charCodeAt(start) * 31 + text.charCodeAt(start + 1)) & 255;
    const cached = this.keyCache[slot];
    // The cached key came from an escape-free run, so matching it char by char
    // followed by a quote is the same key.
    if (cached.length > 0 && text.startsWith(cached, start) && text.charCodeAt(start + cached.length) === QUOTE) {
      this.pos = start + cached.length + 1;
      return cached;
    }
    const key = this.string();
    if (this.pos - start - 1 === key.length) this.keyCache[slot] = key;
    return key;
  }

  /** Reads `"key"` at `pos` and the ':' after it, leaving `pos` just past the ':'. */
  memberKey(): string {
    if (this.peek() !== QUOTE) {
      fail(this.text, 'Expecting property name enclosed in double quotes', this.pos);
    }
    const key = this.key();
    this.skipWhitespace();
    if (this.peek() !== COLON) fail(this.text, "Expecting ':' delimiter", this.pos);
    this.pos++;
    return key;
  }

  fail(msg: string): never {
    fail(this.text, msg, this.pos);
  }
}

/**
 * Parses a request body. Objects are ordinary objects (prototype
 * Object.prototype) with `__proto__` kept as an own key; integers that are
 * safe become numbers, every other numeric literal a {@link NumberLiteral}.
 * Throws {@link JsonParseError} with Python's message on malformed input.
 */
export function parseJson(text: string, options: ParseJsonOptions = {}): unknown {
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  if (text.charCodeAt(0) === BOM) fail(text, 'Unexpected UTF-8 BOM (decode using utf-8-sig)', 0);

  const scanner = new Scanner(text);
  // Open containers, innermost last; `keys[n]` is the pending key when
  // `containers[n]` is an object.
  const containers: Container[] = [];
  const keys: string[] = [];
  let value: unknown;

  parse: for (;;) {
    // Read one value; containers are opened here and filled in the loop below.
    scanner.skipWhitespace();
    const c = scanner.peek();
    switch (c) {
      case BRACE_OPEN:
      case BRACKET_OPEN: {
        if (containers.length >= maxDepth) scanner.fail('Maximum nesting depth exceeded');
        scanner.pos++;
        scanner.skipWhitespace();
        if (c === BRACKET_OPEN) {
          if (scanner.peek() === BRACKET_CLOSE) {
            scanner.pos++;
            value = [];
            break;
          }
          containers.push([]);
          keys.push('');
        } else {
          if (scanner.peek() === BRACE_CLOSE) {
            scanner.pos++;
            value = {};
            break;
          }
          const key = scanner.memberKey();
          containers.push({});
          keys.push(key);
        }
        continue parse;
      }
      case QUOTE:
        value = scanner.string();
        break;
      case 0x74: // t
        value = scanner.keyword('true', true);
        break;
      case 0x66: // f
        value = scanner.keyword('false', false);
        break;
      case 0x6e: // n
        value = scanner.keyword('null', null);
        break;
      default: {
        const constant = /^(?:NaN|-?Infinity)/.exec(text.slice(scanner.pos, scanner.pos + 9));
        if (constant) throw new JsonConstantError(constant[0]);
        // Everything else is a number or "Expecting value".
        value = scanner.number();
      }
    }

    // Store the value in its container; close every container that ends here.
    for (;;) {
      const top = containers.length - 1;
      if (top < 0) break parse;
      const container = containers[top];
      scanner.skipWhitespace();
      const next = scanner.peek();
      if (Array.isArray(container)) {
        container.push(value);
        if (next === COMMA) {
          scanner.pos++;
          continue parse;
        }
        if (next !== BRACKET_CLOSE) scanner.fail("Expecting ',' delimiter");
      } else {
        setMember(container, keys[top], value);
        if (next === COMMA) {
          scanner.pos++;
          scanner.skipWhitespace();
          keys[top] = scanner.memberKey();
          continue parse;
        }
        if (next !== BRACE_CLOSE) scanner.fail("Expecting ',' delimiter");
      }
      scanner.pos++;
      containers.pop();
      keys.pop();
      value = container;
    }
  }

  scanner.skipWhitespace();
  if (scanner.pos !== text.length) scanner.fail('Extra data');
  return value;
}
