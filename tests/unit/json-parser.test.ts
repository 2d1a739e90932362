import { describe, expect, it } from 'vitest';
import { JsonConstantError, JsonParseError, NumberLiteral, parseJson } from '../../src/rest/parsers/json.js';

// Every expected message below was produced by CPython 3.11's
// `json.loads(body)` on the same input, so clients migrating from Django REST
// Framework keep seeing the same `JSON parse error - ...` details.

function errorOf(body: string, options?: { maxDepth?: number }): JsonParseError {
  try {
    parseJson(body, options);
  } catch (error) {
    if (error instanceof JsonParseError) return error;
    throw error;
  }
  throw new Error(`parsed without error: ${JSON.stringify(body)}`);
}

function literal(value: unknown): string {
  expect(value).toBeInstanceOf(NumberLiteral);
  return (value as NumberLiteral).text;
}

describe('parseJson: values', () => {
  it.each([
    ['true', true],
    ['false', false],
    ['null', null],
    ['"abc"', 'abc'],
    ['""', ''],
    ['[]', []],
    ['{}', {}],
    ['[ ]', []],
    ['{ \n}', {}],
    [' \t\r\n 1 \t\r\n ', 1],
    ['[1, "two", true, null, [], {}]', [1, 'two', true, null, [], {}]],
  ])('%j', (body, expected) => {
    expect(parseJson(body)).toEqual(expected);
  });

  it('parses nested structures', () => {
    const body = '{"user": {"name": "Ann", "roles": ["admin", "staff"], "active": true},\n "items": [{"id": 1, "tags": []}, {"id": 2, "tags": ["x"]}], "next": null}';
    expect(parseJson(body)).toEqual({
      user: { name: 'Ann', roles: ['admin', 'staff'], active: true },
      items: [
        { id: 1, tags: [] },
        { id: 2, tags: ['x'] },
      ],
      next: null,
    });
  });

  it('creates ordinary objects and arrays', () => {
    const value = parseJson('{"a": {"b": [{}]}}') as { a: { b: [object] } };
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(value.a)).toBe(Object.prototype);
    expect(Array.isArray(value.a.b)).toBe(true);
    expect(Object.getPrototypeOf(value.a.b[0])).toBe(Object.prototype);
  });
});

describe('parseJson: numbers', () => {
  it.each([
    ['0', 0],
    ['7', 7],
    ['-17', -17],
    ['123456789012345', 123456789012345],
    ['1234567890123456', 1234567890123456],
    ['9007199254740991', Number.MAX_SAFE_INTEGER],
    ['-9007199254740991', Number.MIN_SAFE_INTEGER],
  ])('safe integer %s is a number', (body, expected) => {
    expect(parseJson(body)).toBe(expected);
  });

  it('turns -0 into 0', () => {
    expect(Object.is(parseJson('-0'), 0)).toBe(true);
    expect(Object.is((parseJson('[-0]') as number[])[0], 0)).toBe(true);
  });

  it.each([
    '12.50',
    '0.10',
    '-0.0',
    '1.0',
    '1e3',
    '1E+3',
    '2e-2',
    '-1.5e-7',
    '0e0',
    '9007199254740992', // 2**53: the first integer a double cannot tell from its neighbour
    '-9007199254740992',
    '9007199254740993',
    '99999999999999999999',
    '123456789012345678901234567890.123456789',
    '1e400',
  ])('%s keeps its exact source text', (body) => {
    expect(literal(parseJson(body))).toBe(body);
  });

  it('keeps money out of floating point', () => {
    const body = parseJson('{"amount": 0.10, "total": 12.50, "count": 3}') as Record<string, unknown>;
    expect(literal(body.amount)).toBe('0.10');
    expect(literal(body.total)).toBe('12.50');
    expect(body.count).toBe(3);
    expect(String(body.amount)).toBe('0.10');
    expect(`${body.total as NumberLiteral}`).toBe('12.50');
    expect(JSON.stringify(body)).toBe('{"amount":"0.10","total":"12.50","count":3}');
  });

  it('NumberLiteral exposes its text', () => {
    const n = new NumberLiteral('1.10');
    expect(n.text).toBe('1.10');
    expect(n.toString()).toBe('1.10');
    expect(n.toJSON()).toBe('1.10');
  });

  it('stops a number where Python does and parses what follows', () => {
    expect(parseJson('[0,-1.25e+10,3]')).toEqual([0, new NumberLiteral('-1.25e+10'), 3]);
    expect(parseJson('{"a":1.5}')).toEqual({ a: new NumberLiteral('1.5') });
  });
});

describe('parseJson: strings', () => {
  it.each([
    ['"\\"\\\\\\/\\b\\f\\n\\r\\t"', '"\\/\b\f\n\r\t'],
    ['"caf\\u00e9"', 'café'],
    ['"caf\\u00E9"', 'café'],
    ['"\\u0000"', '\u0000'],
    ['"\\ud83d\\ude00"', '😀'],
    ['"\\uD834\\uDD1E"', '𝄞'],
    ['"a\\ud834\\udd1eb"', 'a𝄞b'],
    ['"\\ud834"', '\ud834'], // lone surrogates are kept, as Python does
    ['"\\udd1e"', '\udd1e'],
    ['"\\udd1e\\ud834"', '\udd1e\ud834'],
    ['"\\ud834\\u0041"', '\ud834A'],
    ['"\\ud834\\ud834\\udd1e"', '\ud834𝄞'],
    ['"😀 café"', '😀 café'],
    ['"\u007f\u2028\u00a0"', '\u007f\u2028\u00a0'],
    ['"/"', '/'],
  ])('%s', (body, expected) => {
    expect(parseJson(body)).toBe(expected);
  });

  it('decodes long strings with escapes between long runs', () => {
    const run = 'abcdefghij'.repeat(10_000);
    expect(parseJson(`"${run}\\n${run}\\u00e9${run}"`)).toBe(`${run}\n${run}é${run}`);
  });

  it('decodes escaped keys that equal earlier plain keys', () => {
    const value = parseJson('[{"ab": 1}, {"a\\u0062": 2}, {"ab": 3}, {"abc": 4}, {"a": 5}, {"ab\\n": 6}]');
    expect(value).toEqual([{ ab: 1 }, { ab: 2 }, { ab: 3 }, { abc: 4 }, { a: 5 }, { 'ab\n': 6 }]);
  });
});

describe('parseJson: object keys', () => {
  it('stores __proto__ as an own data property without touching the prototype', () => {
    const value = parseJson('{"__proto__": {"isAdmin": true}, "name": "x"}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(value, '__proto__')).toEqual({
      value: { isAdmin: true },
      writable: true,
      enumerable: true,
      configurable: true,
    });
    expect(value.isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(Object.keys(value)).toEqual(['__proto__', 'name']);
    expect(JSON.stringify(value)).toBe('{"__proto__":{"isAdmin":true},"name":"x"}');
  });

  it('handles __proto__ in nested objects, as null, and escaped', () => {
    const value = parseJson('[{"a": {"__proto__": null}}, {"\\u005f_proto__": []}]') as [
      { a: Record<string, unknown> },
      Record<string, unknown>,
    ];
    expect(Object.getPrototypeOf(value[0].a)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(value[0].a, '__proto__')?.value).toBeNull();
    expect(Object.getPrototypeOf(value[1])).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(value[1], '__proto__')?.value).toEqual([]);
  });

  it('lets the last duplicate win, keeping the first position (as a Python dict)', () => {
    const value = parseJson('{"a": 1, "b": 2, "a": 3}') as Record<string, unknown>;
    expect(value).toEqual({ a: 3, b: 2 });
    expect(Object.keys(value)).toEqual(['a', 'b']);
    const proto = parseJson('{"__proto__": 1, "__proto__": 2}') as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(proto, '__proto__')?.value).toBe(2);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
  });

  it('accepts keys that shadow Object.prototype members', () => {
    const value = parseJson('{"constructor": 1, "toString": "x", "hasOwnProperty": null, "": 0}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['constructor', 'toString', 'hasOwnProperty', '']);
    expect(value.constructor).toBe(1);
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });
});

describe('parseJson: errors match Python 3.11', () => {
  it.each([
  ['empty body', '', 'Expecting value: line 1 column 1 (char 0)'],
  ['whitespace only', '   ', 'Expecting value: line 1 column 4 (char 3)'],
  ['newline only', '\n', 'Expecting value: line 2 column 1 (char 1)'],
  ['lone open brace', '{', 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'],
  ['key without colon at end', '{"a"', "Expecting ':' delimiter: line 1 column 5 (char 4)"],
  ['key followed by value without colon', '{"a" 1}', "Expecting ':' delimiter: line 1 column 6 (char 5)"],
  ['trailing comma in object', '{"a": 1,}', 'Expecting property name enclosed in double quotes: line 1 column 9 (char 8)'],
  ['unquoted key', '{a: 1}', 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'],
  ['single-quoted key', "{'a': 1}", 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'],
  ['missing comma in array', '[1 2]', "Expecting ',' delimiter: line 1 column 4 (char 3)"],
  ['trailing comma in array', '[1,]', 'Expecting value: line 1 column 4 (char 3)'],
  ['leading comma in array', '[,1]', 'Expecting value: line 1 column 2 (char 1)'],
  ['comma only object', '{,}', 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'],
  ['double comma in object', '{"a":1,,}', 'Expecting property name enclosed in double quotes: line 1 column 8 (char 7)'],
  ['missing comma in object', '{"a":1 "b":2}', "Expecting ',' delimiter: line 1 column 8 (char 7)"],
  ['key without value', '{"a":1,"b"}', "Expecting ':' delimiter: line 1 column 11 (char 10)"],
  ['missing value', '{"a": }', 'Expecting value: line 1 column 7 (char 6)'],
  ['mismatched bracket', '{"a":[}', 'Expecting value: line 1 column 7 (char 6)'],
  ['unclosed array', '[', 'Expecting value: line 1 column 2 (char 1)'],
  ['unclosed array after value', '[1', "Expecting ',' delimiter: line 1 column 3 (char 2)"],
  ['unclosed object after value', '{"a": 1', "Expecting ',' delimiter: line 1 column 8 (char 7)"],
  ['unterminated string', '"abc', 'Unterminated string starting at: line 1 column 1 (char 0)'],
  ['unterminated string ending in backslash', '"abc\\', 'Unterminated string starting at: line 1 column 1 (char 0)'],
  ['escaped quote does not terminate', '"\\"', 'Unterminated string starting at: line 1 column 1 (char 0)'],
  ['lone backslash', '"\\', 'Unterminated string starting at: line 1 column 1 (char 0)'],
  ['unterminated key', '{"abc', 'Unterminated string starting at: line 1 column 2 (char 1)'],
  ['invalid escape', '"a\\qb"', 'Invalid \\escape: line 1 column 3 (char 2)'],
  ['hex escape is not JSON', '"\\x41"', 'Invalid \\escape: line 1 column 2 (char 1)'],
  ['uppercase U escape', '"\\U00e9"', 'Invalid \\escape: line 1 column 2 (char 1)'],
  ['short unicode escape', '"\\u12"', 'Invalid \\uXXXX escape: line 1 column 3 (char 2)'],
  ['short unicode escape at end', '"\\u12', 'Invalid \\uXXXX escape: line 1 column 3 (char 2)'],
  ['unicode escape then end of input', '"\\u1234', 'Invalid \\uXXXX escape: line 1 column 3 (char 2)'],
  ['non-hex unicode escape', '"\\uzzzz"', 'Invalid \\uXXXX escape: line 1 column 3 (char 2)'],
  ['0x inside unicode escape', '"\\u0x12"', 'Invalid \\uXXXX escape: line 1 column 3 (char 2)'],
  ['bad low half of a surrogate pair', '"\\ud834\\uzzzz"', 'Invalid \\uXXXX escape: line 1 column 9 (char 8)'],
  ['short low half of a surrogate pair', '"ab\\ud834\\u12"', 'Invalid \\uXXXX escape: line 1 column 11 (char 10)'],
  ['raw newline in string', '"a\nb"', 'Invalid control character at: line 1 column 3 (char 2)'],
  ['raw tab in string', '"a\tb"', 'Invalid control character at: line 1 column 3 (char 2)'],
  ['raw NUL in string', '"\x00"', 'Invalid control character at: line 1 column 2 (char 1)'],
  ['raw 0x1f in string', '"\x1f"', 'Invalid control character at: line 1 column 2 (char 1)'],
  ['raw control character in key', '{"a\x01": 1}', 'Invalid control character at: line 1 column 4 (char 3)'],
  ['truncated true', 'tru', 'Expecting value: line 1 column 1 (char 0)'],
  ['truncated null', 'nul', 'Expecting value: line 1 column 1 (char 0)'],
  ['truncated false', 'fals', 'Expecting value: line 1 column 1 (char 0)'],
  ['Python literal True', 'True', 'Expecting value: line 1 column 1 (char 0)'],
  ['None', 'None', 'Expecting value: line 1 column 1 (char 0)'],
  ['leading zero', '01', 'Extra data: line 1 column 2 (char 1)'],
  ['negative leading zero', '-01', 'Extra data: line 1 column 3 (char 2)'],
  ['leading zero in array', '[01]', "Expecting ',' delimiter: line 1 column 3 (char 2)"],
  ['dot without fraction digits', '1.', 'Extra data: line 1 column 2 (char 1)'],
  ['dot before exponent', '1.e5', 'Extra data: line 1 column 2 (char 1)'],
  ['leading dot', '.5', 'Expecting value: line 1 column 1 (char 0)'],
  ['leading plus', '+1', 'Expecting value: line 1 column 1 (char 0)'],
  ['lone minus', '-', 'Expecting value: line 1 column 1 (char 0)'],
  ['minus in array', '[-]', 'Expecting value: line 1 column 2 (char 1)'],
  ['minus before letter', '-a', 'Expecting value: line 1 column 1 (char 0)'],
  ['exponent without digits', '1e', 'Extra data: line 1 column 2 (char 1)'],
  ['exponent sign without digits', '1e+', 'Extra data: line 1 column 2 (char 1)'],
  ['exponent followed by letter', '1.5e-x', 'Extra data: line 1 column 4 (char 3)'],
  ['fractional exponent', '1e5.5', 'Extra data: line 1 column 4 (char 3)'],
  ['hex number', '0x1', 'Extra data: line 1 column 2 (char 1)'],
  ['garbage after object', '{"a":1}x', 'Extra data: line 1 column 8 (char 7)'],
  ['extra closing bracket', '[]]', 'Extra data: line 1 column 3 (char 2)'],
  ['two values', '1 2', 'Extra data: line 1 column 3 (char 2)'],
  ['two literals', 'true false', 'Extra data: line 1 column 6 (char 5)'],
  ['garbage after spaced object', ' {"a" : 1 } x', 'Extra data: line 1 column 13 (char 12)'],
  ['error on third line', '\n\n  x', 'Expecting value: line 3 column 3 (char 4)'],
  ['trailing comma on third line', '[1,\n2,\n]', 'Expecting value: line 3 column 1 (char 7)'],
  ['CR does not start a line', '\r\n1 2', 'Extra data: line 2 column 3 (char 4)'],
  ['line counted inside multi-line body', '{\n  "a": 1,\n  "b": [1, 2,\n  ]\n}', 'Expecting value: line 4 column 3 (char 28)'],
  ['non-breaking space is not whitespace', '\u00A01', 'Expecting value: line 1 column 1 (char 0)'],
  ['form feed is not whitespace', '\x0c1', 'Expecting value: line 1 column 1 (char 0)'],
  ['BOM after whitespace', ' \uFEFF{}', 'Expecting value: line 1 column 2 (char 1)'],
  ['BOM', '\uFEFF{}', 'Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)'],
  ['BOM only', '\uFEFF', 'Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)'],
  ['astral character counts as one char', '["😀", x]', 'Expecting value: line 1 column 7 (char 6)'],
  ['two astral characters in a key', '{"😀😀": 1 x}', "Expecting ',' delimiter: line 1 column 10 (char 9)"],
  ['astral character then control character', '"😀\t"', 'Invalid control character at: line 1 column 3 (char 2)'],
  ['astral character at error', '😀', 'Expecting value: line 1 column 1 (char 0)'],
  ['astral character on an earlier line', '["😀😀",\n "😀", x]', 'Expecting value: line 2 column 7 (char 13)'],
  ['escaped astral character counts its escape text', '"\\ud83d\\ude00" x', 'Extra data: line 1 column 16 (char 15)'],
  ])('%s', (_description, body, message) => {
    expect(errorOf(body).message).toBe(message);
  });

  // Python accepts these by default; DRF's JSONParser refuses them (strict_constant)
  // with a message that has no position.
  it.each([
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['-Infinity', '-Infinity'],
    [' NaN ', 'NaN'],
    ['[1, NaN]', 'NaN'],
    ['[Infinity]', 'Infinity'],
    ['{"a": -Infinity}', '-Infinity'],
    ['{"price": NaN}', 'NaN'],
  ])('rejects %s', (body, constant) => {
    expect(() => parseJson(body)).toThrow(new JsonConstantError(constant));
    expect(() => parseJson(body)).toThrow(`Out of range float values are not JSON compliant: '${constant}'`);
  });

  it('exposes the parts of the message as Python does (msg, pos, lineno, colno)', () => {
    const error = errorOf('{\n  "😀": 1,\n  x}');
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('JsonParseError');
    expect(error.msg).toBe('Expecting property name enclosed in double quotes');
    expect(error.lineno).toBe(3);
    expect(error.colno).toBe(3);
    expect(error.pos).toBe(14);
    expect(error.message).toBe('Expecting property name enclosed in double quotes: line 3 column 3 (char 14)');
  });
});

describe('parseJson: nesting depth', () => {
  const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

  it('accepts 512 levels by default and refuses the 513th', () => {
    expect(() => parseJson(nested(512))).not.toThrow();
    expect(errorOf(nested(513)).message).toBe('Maximum nesting depth exceeded: line 1 column 513 (char 512)');
  });

  it('answers 100 000 open brackets with a clean error, not a stack overflow', () => {
    expect(errorOf('['.repeat(100_000)).message).toBe('Maximum nesting depth exceeded: line 1 column 513 (char 512)');
    expect(errorOf('{"a":'.repeat(100_000)).message).toBe('Maximum nesting depth exceeded: line 1 column 2561 (char 2560)');
  });

  it('counts empty containers and objects too', () => {
    expect(errorOf('{"a": [{"b": []}]}', { maxDepth: 3 }).message).toBe(
      'Maximum nesting depth exceeded: line 1 column 14 (char 13)',
    );
    expect(parseJson('{"a": [{"b": []}]}', { maxDepth: 4 })).toEqual({ a: [{ b: [] }] });
    expect(errorOf('\n [1]', { maxDepth: 0 }).message).toBe('Maximum nesting depth exceeded: line 2 column 2 (char 2)');
    expect(parseJson('"flat"', { maxDepth: 0 })).toBe('flat');
  });

  it('parses 100 000 levels without recursion when the limit allows it', () => {
    let value = parseJson(nested(100_000), { maxDepth: Infinity });
    let depth = 0;
    while (Array.isArray(value) && value.length > 0) {
      value = value[0];
      depth++;
    }
    expect(depth).toBe(99_999);
    expect(value).toEqual([]);
    expect(errorOf('['.repeat(100_000), { maxDepth: Infinity }).message).toBe(
      'Expecting value: line 1 column 100001 (char 100000)',
    );
  });
});

describe('parseJson: large bodies', () => {
  it('parses a 1 MB body correctly and in linear time', () => {
    const records: string[] = [];
    let size = 2;
    for (let i = 0; size < 1_000_000; i++) {
      const record = `{"id": ${i}, "name": "Customer ${i} \\u2014 caf\\u00e9", "amount": ${i}.50, "tags": ["a", "b\\n"], "ok": true}`;
      records.push(record);
      size += record.length + 1;
    }
    const body = `[${records.join(',')}]`;
    const started = performance.now();
    const value = parseJson(body) as Array<Record<string, unknown>>;
    const elapsed = performance.now() - started;
    expect(value).toHaveLength(records.length);
    expect(value[1234]).toEqual({
      id: 1234,
      name: 'Customer 1234 \u2014 caf\u00e9',
      amount: new NumberLiteral('1234.50'),
      tags: ['a', 'b\n'],
      ok: true,
    });
    // Typically under 10 ms; the bound only catches quadratic behaviour.
    expect(elapsed).toBeLessThan(1_000);
  });
});
