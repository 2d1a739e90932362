// Request bodies decode as DRF's JSONParser decodes them; every expectation below is what
// CPython 3.11's codecs.getreader('utf-8') (and json.load after it) gave for the same bytes.
import { describe, expect, it } from 'vitest';
import { decodeUtf8Body, Utf8DecodeError } from '../../src/rest/parsers/utf8.js';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('decodeUtf8Body', () => {
  it.each([
    ['\xff', "byte 0xff in position 0: invalid start byte"],
    ['\x80abc', "byte 0x80 in position 0: invalid start byte"],
    ['"\xf8"', "byte 0xf8 in position 1: invalid start byte"],
    ['\xc0\xaf', "byte 0xc0 in position 0: invalid start byte"],
    ['{"a":"\xc3("}', "byte 0xc3 in position 6: invalid continuation byte"],
    ['{"title":"caf\xe9"}', "byte 0xe9 in position 13: invalid continuation byte"],
    ['{"a":"\xe2\x82"}', "bytes in position 6-7: invalid continuation byte"],
    ['{"a":"\xf0\x9f\x98"}', "bytes in position 6-8: invalid continuation byte"],
    ['\xed\xa0\x80', "byte 0xed in position 0: invalid continuation byte"],
    ['\xf0\x80\x80\x80', "byte 0xf0 in position 0: invalid continuation byte"],
    ['{"a":"\xf4\x90\x80\x80"}', "byte 0xf4 in position 6: invalid continuation byte"],
    ['{"a":"\xe0\x80"', "byte 0xe0 in position 6: invalid continuation byte"],
  ])('refuses %j with Python\'s message', (body, message) => {
    expect(() => decodeUtf8Body(bytes(body))).toThrow(new Utf8DecodeError(`'utf-8' codec can't decode ${message}`));
  });

  it('drops an unfinished sequence at the very end, as Python\'s stream reader does', () => {
    expect(decodeUtf8Body(bytes('{"a":1}\xe2'))).toBe('{"a":1}');
    expect(decodeUtf8Body(bytes('{"a":"x\xe2\x82'))).toBe('{"a":"x');
    expect(decodeUtf8Body(bytes('\xe2'))).toBe('');
  });

  it('decodes valid UTF-8, astral characters included', () => {
    expect(decodeUtf8Body(Buffer.from('{"a":"café 😀"}'))).toBe('{"a":"café 😀"}');
  });
});
