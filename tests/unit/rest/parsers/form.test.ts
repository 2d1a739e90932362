// URL-encoded fields as Django's QueryDict reads them (urllib.parse.parse_qsl, keep_blank_values,
// DATA_UPLOAD_MAX_NUMBER_FIELDS); every expectation was read from CPython 3.11 and Django 3.2.
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../../src/rest/errors.js';
import { decodeFormBody, parseQueryString, pythonUnquote } from '../../../../src/rest/parsers/form.js';

describe('pythonUnquote (urllib.parse.unquote, UTF-8 with errors="replace")', () => {
  it('keeps an invalid escape as written and replaces invalid UTF-8', () => {
    expect(pythonUnquote('%zz%4%')).toBe('%zz%4%');
    expect(pythonUnquote('%C3%A9%ff')).toBe('é\ufffd');
    expect(pythonUnquote('%E2%82')).toBe('\ufffd');
    expect(pythonUnquote('%F0%9F%98%80')).toBe('😀');
  });

  it('decodes each run of ASCII on its own: escapes never join a literal non-ASCII character', () => {
    expect(pythonUnquote('%C3é%A9')).toBe('\ufffdé\ufffd');
  });
});

describe('parseQueryString (QueryDict)', () => {
  it('splits on & only, reads + as a space, keeps blank values and fields without =', () => {
    expect(parseQueryString('a=1+2%202&b;c=3&&d&=e&f=')).toEqual([
      ['a', '1 2 2'],
      ['b;c', '3'],
      ['d', ''],
      ['', 'e'],
      ['f', ''],
    ]);
  });

  it('refuses more than 1000 fields, counting separators as parse_qsl does', () => {
    expect(parseQueryString(Array(1000).fill('a=1').join('&'))).toHaveLength(1000);
    for (const text of [Array(1001).fill('a=1').join('&'), `a=1${'&'.repeat(1000)}`]) {
      expect(() => parseQueryString(text)).toThrow(ParseError);
      expect(() => parseQueryString(text)).toThrow('The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.');
    }
  });
});

describe('decodeFormBody', () => {
  it('reads UTF-8, and a body that is not UTF-8 as ISO-8859-1, as QueryDict does', () => {
    expect(decodeFormBody(Buffer.from('title=é'))).toBe('title=é');
    expect(decodeFormBody(Buffer.from([0x74, 0x3d, 0xff, 0xfe]))).toBe('t=ÿþ');
  });
});
