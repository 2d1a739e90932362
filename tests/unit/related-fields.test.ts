import { describe, expect, it } from 'vitest';
import { parsePrimaryKey, pythonFloatRepr } from '../../src/rest/fields/index.js';
import { NumberLiteral } from '../../src/rest/parsers/json.js';

describe('pythonFloatRepr', () => {
  // Each expected value is CPython's repr() of the same float.
  it.each([
    [5, '5.0'],
    [5.5, '5.5'],
    [-0, '-0.0'],
    [0, '0.0'],
    [0.1, '0.1'],
    [1e-4, '0.0001'],
    [1.5e-5, '1.5e-05'],
    [123456789012345.6, '123456789012345.6'],
    [1e16, '1e+16'],
    [1.2345e22, '1.2345e+22'],
    [1e100, '1e+100'],
    [Number.POSITIVE_INFINITY, 'inf'],
  ])('%d → %s', (value, repr) => {
    expect(pythonFloatRepr(value)).toBe(repr);
  });
});

describe('parsePrimaryKey (Django\'s int() on a lookup value)', () => {
  it.each([
    [7, { id: 7, text: '7' }],
    [0, { id: null, text: '0' }],
    [-2, { id: null, text: '-2' }],
    ['7', { id: 7, text: '7' }],
    [' +7 ', { id: 7, text: ' +7 ' }],
    ['1_000', { id: 1000, text: '1_000' }],
    [new NumberLiteral('99999999999999999999'), { id: null, text: '99999999999999999999' }],
    [new NumberLiteral('7.9'), { id: 7, text: '7.9' }],
    [new NumberLiteral('7.0'), { id: 7, text: '7.0' }],
    [new NumberLiteral('7e0'), { id: 7, text: '7.0' }],
    [new NumberLiteral('1e400'), { id: null, text: 'inf' }],
  ])('%o → %o', (input, expected) => {
    expect(parsePrimaryKey(input)).toEqual(expected);
  });

  it.each([['abc'], ['7.0'], ['1__0'], ['_1'], [' '], [true], [false], [[7]], [{ id: 7 }]])('refuses %o', (input) => {
    expect(parsePrimaryKey(input)).toBeNull();
  });
});
